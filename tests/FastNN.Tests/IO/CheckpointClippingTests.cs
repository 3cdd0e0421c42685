using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

// Clipping changes every step a run takes from the first one on: a run resumed under another MaxGradientNorm or
// MaxGradientValue would be neither the saved run nor a fresh one, so the checkpoint records both and refuses such a
// resume, as it refuses another Shuffle or schedule. Before, neither was recorded: any clipping resumed silently.
public class CheckpointClippingTests
{
    // y = x0 − 2·x1 + noise, 48 rows; targets scaled up so that the clamp and the norm bite.
    private static Dataset<float> Rows()
    {
        var random = new FastRandom(29);
        var x = new float[48 * 2];
        var y = new float[48];
        for (int r = 0; r < 48; r++)
        {
            (x[2 * r], x[2 * r + 1]) = ((float)random.NextDouble(-1, 1), (float)random.NextDouble(-1, 1));
            y[r] = 10 * (x[2 * r] - 2 * x[2 * r + 1]) + (float)random.NextDouble(-0.1, 0.1);
        }
        return new Dataset<float>(x, y, 2);
    }

    private static Trainer<float> New(double? maxNorm, double? maxValue, ulong seed = 3)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(8).Tanh().Dense(1).Build(maxBatch: 8, seed);
        return new Trainer<float>(model, new MseLoss<float>(), new Sgd<float>(model.Parameters.Length, 0.05, momentum: 0.9), TaskKind.Regression,
            new TrainerOptions { Epochs = 4, BatchSize = 8, Seed = 5 })
        {
            MaxGradientNorm = maxNorm,
            MaxGradientValue = maxValue,
        };
    }

    // Saved after epoch 2 of 4.
    private static string SavedRun(TempFolder folder, double? maxNorm, double? maxValue)
    {
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> trainer = New(maxNorm, maxValue);
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

    [Fact]
    public void AResumeUnderOtherClippingIsRefusedNamingEachSetting()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, maxNorm: 1.0, maxValue: 0.25);
        const string Prefix = "the checkpoint's run clipped its gradients otherwise than the trainer does: ";
        Assert.Contains(Prefix + "Trainer.MaxGradientValue is 0.25 in the checkpoint, null in the trainer's; resume with the saved run's clipping.",
            Refused(path, New(1.0, null)));
        Assert.Contains(Prefix + "Trainer.MaxGradientNorm is 1 in the checkpoint, 2 in the trainer's; Trainer.MaxGradientValue is 0.25 in the checkpoint, 0.5 in the trainer's;",
            Refused(path, New(2.0, 0.5)));
        Assert.Contains("Trainer.MaxGradientNorm is 1 in the checkpoint, null in the trainer's", Refused(path, New(null, 0.25)));

        string unclipped = SavedRun(folder, null, null);
        Assert.Contains("Trainer.MaxGradientValue is null in the checkpoint, 0.25 in the trainer's", Refused(unclipped, New(null, 0.25)));
    }

    // Under the same clipping a paused run resumes to the same bits as one that never stopped: the clamp is applied in the
    // resumed steps as in the others.
    [Theory]
    [InlineData(null, 0.25)]
    [InlineData(1.0, 0.25)]
    public void UnderTheSameClippingAResumeIsBitIdentical(double? maxNorm, double maxValue)
    {
        Trainer<float> whole = New(maxNorm, maxValue);
        whole.Fit(Rows());
        using var folder = new TempFolder();
        string path = SavedRun(folder, maxNorm, maxValue);
        Trainer<float> resumed = New(maxNorm, maxValue, seed: 99);
        Checkpoint.Load(path, resumed);
        Assert.Equal(2, resumed.CompletedEpochs);
        resumed.Fit(Rows());
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());

        // The clamp bit: without it the run ends elsewhere.
        Trainer<float> unclamped = New(maxNorm, null);
        unclamped.Fit(Rows());
        Assert.NotEqual(whole.Model.Parameters.ToArray(), unclamped.Model.Parameters.ToArray());
    }

    // Files written before the clipping was recorded load as before, under any clipping; a malformed record is named.
    [Fact]
    public void ACheckpointWithoutTheClippingLoadsAsBeforeAndAMalformedOneIsNamed()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, maxNorm: 1.0, maxValue: null);
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.Equal(1.0, (double)progress["gradient_clipping"]!["max_norm"]!);
        Assert.Null(progress["gradient_clipping"]!["max_value"]);

        Assert.True(progress.Remove("gradient_clipping"));
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Trainer<float> old = New(null, 0.5);
        Checkpoint.Load(path, old);
        Assert.Equal(2, old.CompletedEpochs);

        foreach ((JsonObject record, string message) in new[]
        {
            (new JsonObject { ["max_norm"] = 1.0, ["max_value"] = -1.0 }, "gradient_clipping.max_value must be null or a finite non-negative number."),
            (new JsonObject { ["max_norm"] = 1.0 }, "gradient_clipping.max_value must be a JSON Number."),
            (new JsonObject { ["max_norm"] = "1", ["max_value"] = null }, "gradient_clipping.max_norm must be a JSON Number."),
        })
        {
            progress["gradient_clipping"] = record;
            root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
            File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
            Assert.Contains("fastnn.checkpoint is malformed: " + message, Refused(path, New(1.0, null)));
        }
    }
}
