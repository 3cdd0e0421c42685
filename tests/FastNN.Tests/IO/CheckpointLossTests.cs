using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

// A run resumed under another loss trains on other gradients, and its early stopping compares new validation losses
// with a best measured under the saved loss; the checkpoint records the loss so that such a resume is refused.
public class CheckpointLossTests
{
    // y = x0 − 2·x1 + noise, 60 rows, 20 of them for validation.
    private static (Dataset<float> Train, Dataset<float> Validation) Rows()
    {
        var random = new FastRandom(23);
        var x = new float[60 * 2];
        var y = new float[60];
        for (int r = 0; r < 60; r++)
        {
            (x[2 * r], x[2 * r + 1]) = ((float)random.NextDouble(-1, 1), (float)random.NextDouble(-1, 1));
            y[r] = x[2 * r] - 2 * x[2 * r + 1] + (float)random.NextDouble(-0.1, 0.1);
        }
        return (new Dataset<float>(x[..80], y[..40], 2), new Dataset<float>(x[80..], y[40..], 2));
    }

    private static Trainer<float> New(ILoss<float> loss)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(8).Tanh().Dense(1).Build(maxBatch: 8, seed: 3);
        return new Trainer<float>(model, loss, new Adam<float>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression,
            new TrainerOptions { Epochs = 4, BatchSize = 8, Seed = 5, Patience = 2 });
    }

    // Saved after epoch 1, with its early-stopping watch.
    private static string SavedRun(TempFolder folder, ILoss<float> loss)
    {
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> saved = New(loss);
        using var stop = new CancellationTokenSource();
        saved.EpochCompleted = e => stop.Cancel();
        (Dataset<float> train, Dataset<float> validation) = Rows();
        saved.Fit(train, validation, stop.Token);
        Checkpoint.Save(path, saved);
        return path;
    }

    private static string Refused(string path, ILoss<float> loss)
    {
        Trainer<float> trainer = New(loss);
        float[] parameters = trainer.Model.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
        Assert.Equal((0L, 0), (trainer.Steps, trainer.CompletedEpochs));
        return e.Message;
    }

    // Before: each of these resumed silently (checked by removing the comparison in Checkpoint.Load: every Throws failed).
    [Fact]
    public void ARunResumedUnderAnotherBuiltInLossIsRefusedNamingBoth()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new HuberLoss<float>(1));
        const string Prefix = "the checkpoint's loss differs from the trainer's: the run was saved with ";
        Assert.Contains(Prefix + "HuberLoss (delta 1), the trainer has HuberLoss (delta 0.5); resume with the saved run's loss.",
            Refused(path, new HuberLoss<float>(0.5)));
        Assert.Contains(Prefix + "HuberLoss, the trainer has MseLoss;", Refused(path, new MseLoss<float>()));
        Assert.Contains(Prefix + $"HuberLoss, the trainer has {typeof(ScaledMse).FullName} (a loss of your own: only its type is recorded);",
            Refused(path, new ScaledMse(1)));

        // The same loss, built anew, resumes and trains on; δ is recorded exactly.
        Trainer<float> same = New(new HuberLoss<float>(1.0));
        Checkpoint.Load(path, same);
        Assert.Equal(1, same.CompletedEpochs);
        (Dataset<float> train, Dataset<float> validation) = Rows();
        Assert.Equal(2, same.Fit(train, validation).Epochs[0].Epoch);
        Assert.Contains("delta 1.0000000000000002", Refused(path, new HuberLoss<float>(1.0000000000000002)));
        Assert.Contains(Prefix + "MseLoss, the trainer has HuberLoss;", Refused(SavedRun(folder, new MseLoss<float>()), new HuberLoss<float>()));
    }

    // A loss of your own is a function the checkpoint cannot hold: its type name is recorded, not its settings.
    [Fact]
    public void ALossOfYourOwnIsRecordedByItsTypeNameOnly()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new ScaledMse(1));
        var (_, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        JsonObject loss = JsonNode.Parse(metadata["fastnn.checkpoint"])!["loss"]!.AsObject();
        Assert.Equal(typeof(ScaledMse).FullName, (string?)loss["type"]);
        Assert.False(loss.ContainsKey("parameters"));

        Trainer<float> otherScale = New(new ScaledMse(3));   // the documented limit: not told
        Checkpoint.Load(path, otherScale);
        Assert.Equal(1, otherScale.CompletedEpochs);
        Assert.Contains($"the run was saved with {typeof(ScaledMse).FullName} (a loss of your own: only its type is recorded), the trainer has MseLoss;",
            Refused(path, new MseLoss<float>()));
    }

    // Files written before the loss was recorded load as before, under any loss; a malformed record is named.
    [Fact]
    public void ACheckpointWithoutTheLossLoadsAsBeforeAndAMalformedOneIsNamed()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new HuberLoss<float>(1));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.Equal("1", (string?)progress["loss"]!["parameters"]!["delta"]);

        Assert.True(progress.Remove("loss"));
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Trainer<float> old = New(new MseLoss<float>());
        Checkpoint.Load(path, old);
        Assert.Equal(1, old.CompletedEpochs);

        progress["loss"] = new JsonObject { ["type"] = "FastNN.Losses.HuberLoss", ["parameters"] = new JsonObject { ["delta"] = 1 } };
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Assert.Contains("fastnn.checkpoint is malformed: loss.parameters.delta must be a text", Refused(path, new HuberLoss<float>(1)));
    }

    // A hostile record (lone surrogates, a wrong kind, no type) is the file's fault: a ModelFileException naming the key,
    // never another exception type.
    [Theory]
    [InlineData("{\"type\": \"\\ud800\"}")]
    [InlineData("{\"type\": \"FastNN.Losses.HuberLoss\", \"parameters\": {\"\\udc00\": \"1\"}}")]
    [InlineData("{\"type\": \"FastNN.Losses.HuberLoss\", \"parameters\": {\"delta\": \"\\ud800\"}}")]
    [InlineData("{\"type\": \"\"}")]
    [InlineData("{\"parameters\": {}}")]
    [InlineData("[\"FastNN.Losses.HuberLoss\"]")]
    public void AHostileLossRecordIsAModelFileExceptionNamingTheKey(string record)
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new HuberLoss<float>(1));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        progress["loss"] = "RECORD";
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString().Replace("\"RECORD\"", record);
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Assert.Contains("fastnn.checkpoint is malformed: loss", Refused(path, new HuberLoss<float>(1)));
    }

    // The same holds for the other texts of the record: a lone surrogate anywhere is a malformed file.
    [Theory]
    [InlineData("optimizer")]
    [InlineData("schedule")]
    public void ALoneSurrogateElsewhereInTheRecordIsAModelFileException(string key)
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new HuberLoss<float>(1));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        if (key == "optimizer")
            progress["optimizer"] = "RECORD";
        else
            progress["schedule"]!["type"] = "RECORD";
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString().Replace("\"RECORD\"", "\"\\ud800\"");
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Assert.Contains("fastnn.checkpoint is malformed", Refused(path, new HuberLoss<float>(1)));
    }

    // ... and in the safetensors header around it (a metadata value here; tensor names are read the same way).
    [Fact]
    public void ALoneSurrogateInTheHeaderIsAModelFileException()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new HuberLoss<float>(1));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        root["__metadata__"]!["extra"] = "RECORD";
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString().Replace("\"RECORD\"", "\"\\ud800\""), data));
        Assert.Contains("the header holds a text that is not valid UTF-16", Refused(path, new HuberLoss<float>(1)));
    }

    // Two losses of your own nested in one generic class are two types, told apart like any others.
    [Fact]
    public void LossesNestedInAGenericClassAreToldApart()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new Nested<float>.Halved());
        Assert.Contains($"the run was saved with {typeof(Nested<>.Halved).FullName} (a loss of your own: only its type is recorded), the trainer has "
            + $"{typeof(Nested<>.Doubled).FullName} (a loss of your own", Refused(path, new Nested<float>.Doubled()));
    }

    // A loss of your own generic in more than the element type records those arguments: Scaled<float, Halved> and
    // Scaled<float, Doubled> are two losses. The element type is left out, so a float run and a double run of one loss
    // record the same name (a float checkpoint resumes into a double trainer).
    [Fact]
    public void ALossGenericInAnotherTypeRecordsThatTypeButNotTheElementType()
    {
        using var folder = new TempFolder();
        string path = SavedRun(folder, new Scaled<float, Nested<float>.Halved>());
        var (_, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        string type = typeof(Scaled<,>).FullName![..^2] + $"[T,{typeof(Nested<>.Halved).FullName}]";
        Assert.Equal(type, (string?)JsonNode.Parse(metadata["fastnn.checkpoint"])!["loss"]!["type"]);
        Assert.Contains($"the run was saved with {type} (a loss of your own", Refused(path, new Scaled<float, Nested<float>.Doubled>()));

        Sequential<double> model = new SequentialBuilder<double>(2).Dense(8).Tanh().Dense(1).Build(maxBatch: 8, seed: 3);
        var inDouble = new Trainer<double>(model, new Scaled<double, Nested<double>.Halved>(), new Adam<double>(model.Parameters.Length, learningRate: 0.01),
            TaskKind.Regression, new TrainerOptions { Epochs = 4, BatchSize = 8, Seed = 5, Patience = 2 });
        Checkpoint.Load(path, inDouble);
        Assert.Equal(1, inDouble.CompletedEpochs);
    }

    private sealed class Scaled<T, TLoss> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T> where TLoss : ILoss<T>, new()
    {
        public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch) =>
            new TLoss().Compute(prediction, target, gradient, batch);
    }

    // Huber's δ is recorded as invariant round-trip text, whatever the culture: 0.1 is not (double)0.1f, 1e-30 is kept.
    [Fact]
    public void HubersDeltaRoundTripsExactlyUnderAnyCulture()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            using var folder = new TempFolder();
            foreach ((double delta, string text) in new[] { (0.1, "0.1"), (1e-30, "1E-30"), ((double)0.1f, "0.10000000149011612") })
            {
                string path = SavedRun(folder, new HuberLoss<float>(delta));
                var (_, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
                Assert.Equal(text, (string?)JsonNode.Parse(metadata["fastnn.checkpoint"])!["loss"]!["parameters"]!["delta"]);
                Checkpoint.Load(path, New(new HuberLoss<float>(delta)));
            }
            string tenth = SavedRun(folder, new HuberLoss<float>(0.1));
            Assert.Contains("HuberLoss (delta 0.1), the trainer has HuberLoss (delta 0.10000000149011612)", Refused(tenth, new HuberLoss<float>(0.1f)));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static class Nested<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public sealed class Halved : ILoss<T>
        {
            public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch) =>
                new MseLoss<T>().Compute(prediction, target, gradient, batch) / (T.One + T.One);
        }

        public sealed class Doubled : ILoss<T>
        {
            public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch) =>
                new MseLoss<T>().Compute(prediction, target, gradient, batch) * (T.One + T.One);
        }
    }

    // MSE times a scale, a loss of the user's own.
    private sealed class ScaledMse(float scale) : ILoss<float>
    {
        public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient, int batch)
        {
            float loss = new MseLoss<float>().Compute(prediction, target, gradient, batch);
            foreach (ref float g in gradient)
                g *= scale;
            return loss * scale;
        }
    }
}
