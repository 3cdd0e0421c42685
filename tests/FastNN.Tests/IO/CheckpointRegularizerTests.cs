using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Training;

namespace FastNN.Tests.IO;

// A penalty enters every gradient and every reported loss: a run resumed under another Regularizer (another λ, other
// kinds, L1 for L2, or none) would be neither the saved run nor a fresh one, so the checkpoint records it and refuses
// such a resume, as it refuses other clipping. Before, it was not recorded: any penalty resumed silently. A regularizer
// of your own is recorded by type but not compared: it may wrap a penalty or be a hook that watches the steps.
public class CheckpointRegularizerTests
{
    // y = x0 − 2·x1 + noise, 48 rows.
    private static Dataset<float> Rows()
    {
        var random = new FastRandom(31);
        var x = new float[48 * 2];
        var y = new float[48];
        for (int r = 0; r < 48; r++)
        {
            (x[2 * r], x[2 * r + 1]) = ((float)random.NextDouble(-1, 1), (float)random.NextDouble(-1, 1));
            y[r] = x[2 * r] - 2 * x[2 * r + 1] + (float)random.NextDouble(-0.1, 0.1);
        }
        return new Dataset<float>(x, y, 2);
    }

    private static Trainer<float> New(IRegularizer<float>? regularizer, ulong seed = 3)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(8).Tanh().Dense(1).Build(maxBatch: 8, seed);
        return new Trainer<float>(model, new MseLoss<float>(), new Sgd<float>(model.Parameters.Length, 0.05, momentum: 0.9), TaskKind.Regression,
            new TrainerOptions { Epochs = 4, BatchSize = 8, Seed = 5 })
        {
            Regularizer = regularizer,
        };
    }

    // Saved after epoch 2 of 4.
    private static string SavedRun(TempFolder folder, IRegularizer<float>? regularizer)
    {
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> trainer = New(regularizer);
        using var stop = new CancellationTokenSource();
        trainer.EpochCompleted = e =>
        {
            if (e.Epoch == 2)
                stop.Cancel();
        };
        trainer.Fit(Rows(), cancellationToken: stop.Token);
        Checkpoint.Save(path, trainer);
        return path;
    }

    private static string Refused(string path, Trainer<float> trainer)
    {
        float[] parameters = trainer.Model.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
        Assert.Equal(0, trainer.Steps);
        return e.Message;
    }

    private sealed class Nothing : IRegularizer<float>
    {
        public float AddTo(ReadOnlySpan<float> parameters, Span<float> gradients, IReadOnlyList<ParameterTensor> tensors) => 0;
    }

    [Fact]
    public void AResumeUnderAnotherRegularizerIsRefusedNamingWhatDiffers()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new L2Penalty<float>(1e-3));
        const string Prefix = "the checkpoint's run was regularized otherwise than the trainer is: the run was saved with ";
        Assert.Contains(Prefix + "L2Penalty (lambda 0.001), the trainer has L2Penalty (lambda 0.01); resume with the saved run's Regularizer.",
            Refused(path, New(new L2Penalty<float>(1e-2))));
        Assert.Contains(Prefix + "L2Penalty (kinds Weight), the trainer has L2Penalty (kinds Weight,Bias);",
            Refused(path, New(new L2Penalty<float>(1e-3, [ParameterKind.Bias, ParameterKind.Weight]))));
        Assert.Contains(Prefix + "L2Penalty, the trainer has L1Penalty;", Refused(path, New(new L1Penalty<float>(1e-3))));
        Assert.Contains(Prefix + "L2Penalty, the trainer has no regularizer;", Refused(path, New(null)));

        string plain = SavedRun(folder, null);
        Assert.Contains(Prefix + "no regularizer, the trainer has L1Penalty;", Refused(plain, New(new L1Penalty<float>(1e-3))));

        // One of your own may wrap a penalty or only watch the steps: not compared, on either side.
        Assert.Equal(2, Loaded(path, New(new Nothing())).CompletedEpochs);
        string own = SavedRun(folder, new Nothing());
        Assert.Equal(2, Loaded(own, New(null)).CompletedEpochs);
    }

    private static Trainer<float> Loaded(string path, Trainer<float> trainer)
    {
        Checkpoint.Load(path, trainer);
        return trainer;
    }

    // Under the same penalty a paused run resumes to the same bits as one that never stopped.
    [Fact]
    public void UnderTheSamePenaltyAResumeIsBitIdentical()
    {
        Trainer<float> whole = New(new L1Penalty<float>(1e-2));
        whole.Fit(Rows());
        using var folder = new TempFolder();
        string path = SavedRun(folder, new L1Penalty<float>(1e-2));
        Trainer<float> resumed = New(new L1Penalty<float>(1e-2), seed: 99);
        Checkpoint.Load(path, resumed);
        Assert.Equal(2, resumed.CompletedEpochs);
        resumed.Fit(Rows());
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());

        // The penalty bites: without it the run ends elsewhere.
        Trainer<float> free = New(null);
        free.Fit(Rows());
        Assert.NotEqual(whole.Model.Parameters.ToArray(), free.Model.Parameters.ToArray());
    }

    // Files written before the regularizer was recorded load as before, under any; a malformed record is named.
    [Fact]
    public void ACheckpointWithoutTheRegularizerLoadsAsBeforeAndAMalformedOneIsNamed()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new L2Penalty<float>(1e-3));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.Equal("FastNN.Regularization.L2Penalty", (string)progress["regularizer"]!["type"]!);
        Assert.Equal("0.001", (string)progress["regularizer"]!["parameters"]!["lambda"]!);

        Assert.True(progress.Remove("regularizer"));
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Trainer<float> old = New(new L1Penalty<float>(0.5));
        Checkpoint.Load(path, old);
        Assert.Equal(2, old.CompletedEpochs);

        foreach (JsonNode? record in new JsonNode?[] { new JsonObject(), new JsonObject { ["type"] = 3 }, "L2Penalty" })
        {
            progress["regularizer"] = record;
            root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
            File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
            Assert.Contains("fastnn.checkpoint is malformed: regularizer must be {\"type\": name or null, optionally \"parameters\": {name: text}}.",
                Refused(path, New(new L2Penalty<float>(1e-3))));
        }
    }
}
