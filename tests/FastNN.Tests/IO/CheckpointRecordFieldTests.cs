using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Tests.Training;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// Every key of a checkpoint's <c>fastnn.checkpoint</c> record, at any depth, is one its reader takes: a key it does not
/// know (a misspelt <c>validation_seed</c>, one damaged byte of <c>early_stopping</c>) is refused, naming the file and
/// the key, rather than read as an older file without that part, which resumes another run (the trainer's own
/// validation split, a fresh early-stopping watch, a dropped unfinished epoch, schedule or loss unchecked).
/// </summary>
public class CheckpointRecordFieldTests
{
    [Fact]
    public void EveryKeyOfTheRecordRenamedIsRefusedNamingTheFileAndTheKey()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.safetensors");
        Checkpoint.Save(path, PausedRun());
        Checkpoint.Load(path, NewTrainer());   // the premise: the record as saved loads
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject record = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        string[] keys = [.. Paths(record, "")];
        // Every optional part is in the record, so that each of its keys is renamed too.
        Assert.Superset(new HashSet<string>(["validation_seed", "schedule.parameters", "unfinished_epoch.rows", "shuffle", "drop_last",
            "early_stopping.best.validation.loss", "loss.parameters", "gradient_clipping.max_norm", "regularizer.parameters"]), new HashSet<string>(keys));

        var wrong = new List<string>();
        foreach (string key in keys)
        {
            JsonObject renamed = record.DeepClone().AsObject();
            Rename(renamed, key.Split('.'));
            root["__metadata__"]!["fastnn.checkpoint"] = renamed.ToJsonString();
            File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
            Trainer<double> trainer = NewTrainer();
            string before = string.Join(",", trainer.Model.Parameters.ToArray());

            Exception? e = Record.Exception(() => Checkpoint.Load(path, trainer));
            if (e is not ModelFileException { Message: var message } || !message.StartsWith(path + ": ", StringComparison.Ordinal) || !message.Contains(key + "_", StringComparison.Ordinal))
                wrong.Add($"{key}_: {(e is null ? "loaded" : e.Message)}");
            if (e is not null)
                Assert.Equal(before, string.Join(",", trainer.Model.Parameters.ToArray()));
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static Trainer<double> NewTrainer()
    {
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(4).BatchNorm().Relu().Dense(1).Build(maxBatch: 4, seed: 5);
        return new Trainer<double>(model, new HuberLoss<double>(0.5), new Adam<double>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression,
            new TrainerOptions { Epochs = 8, BatchSize = 4, Seed = null, ValidationFraction = 0.25, Patience = 5 })
        {
            Schedule = new StepSchedule(0.01, stepSize: 2),
            MaxGradientNorm = 1,
            Regularizer = new L2Penalty<double>(0.001),
        };
    }

    // A run paused in its third epoch, after two validated ones: every optional part of the record is there.
    private static Trainer<double> PausedRun()
    {
        Trainer<double> trainer = NewTrainer();
        double[] x = [.. Enumerable.Range(0, 32).Select(i => Math.Sin(i))];
        var data = new Dataset<double>(x, [.. Enumerable.Range(0, 16).Select(i => x[2 * i] - x[2 * i + 1])], 2);
        using var stop = new CancellationTokenSource();
        IRegularizer<double>? penalty = trainer.Regularizer;
        trainer.Regularizer = new StepHook<double>(penalty, step =>
        {
            if (step == 7)
                stop.Cancel();
        });
        trainer.Fit(data, cancellationToken: stop.Token);
        trainer.Regularizer = penalty;
        return trainer;
    }

    // The dotted path of every key, parents first; the names in hyper_parameters and parameters are the optimizer's and
    // the record's own (a renamed one is a parameter the trainer lacks, refused as such), so only those maps are listed.
    private static IEnumerable<string> Paths(JsonObject o, string at)
    {
        foreach ((string name, JsonNode? value) in o)
        {
            string path = at + name;
            yield return path;
            if (value is JsonObject inner && name is not ("hyper_parameters" or "parameters"))
            {
                foreach (string p in Paths(inner, path + "."))
                    yield return p;
            }
        }
    }

    private static void Rename(JsonObject o, string[] path)
    {
        for (int i = 0; i < path.Length - 1; i++)
            o = o[path[i]]!.AsObject();
        JsonNode? value = o[path[^1]];
        o.Remove(path[^1]);
        o[path[^1] + "_"] = value;
    }
}
