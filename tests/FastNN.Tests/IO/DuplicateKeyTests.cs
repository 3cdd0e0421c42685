using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// A key given twice inside a metadata value's JSON (the architecture, the checkpoint's record) is refused, as one given
/// twice in the header is: which of the two values a reader takes is a guess the file does not settle.
/// </summary>
public class DuplicateKeyTests
{
    // Already refused before (LayerJson checks every object's fields): pinned beside the checkpoint's record.
    [Fact]
    public void AnArchitectureNamingAKeyTwiceIsRefusedNamingTheFileAndTheKey()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        ModelFile.Save(path, IoModels.Sample<float>());
        Repeat(path, "fastnn.architecture", "max_batch", "3");

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("fastnn.architecture", e.Message);
        Assert.Contains("$.max_batch is given twice", e.Message);
        Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(path));
    }

    // Before: the checkpoint resumed with one of the two epoch counts.
    [Fact]
    public void ACheckpointRecordNamingAKeyTwiceIsRefusedNamingTheFileAndTheKey()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.safetensors");
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        Trainer<double> Trainer() => new(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, 0.1), TaskKind.Regression);
        Checkpoint.Save(path, Trainer());
        Repeat(path, "fastnn.checkpoint", "completed_epochs", "7");

        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, Trainer()));
        Assert.Contains(path, e.Message);
        Assert.Contains("fastnn.checkpoint", e.Message);
        Assert.Contains("'completed_epochs' is given twice", e.Message);
    }

    [Fact]
    public void ARepeatedKeyInsideANestedCheckpointRecordIsNamedByItsPath()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.safetensors");
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        Trainer<double> Trainer() => new(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, 0.1), TaskKind.Regression);
        Checkpoint.Save(path, Trainer());
        Repeat(path, "fastnn.checkpoint", "type", "\"Constant\"");   // each record's type; the schedule's comes first

        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, Trainer()));
        Assert.Contains("'schedule.type' is given twice", e.Message);
    }

    /// <summary>Gives <paramref name="key"/> of the metadata value <paramref name="metadataKey"/> a second value, after its first.</summary>
    private static void Repeat(string path, string metadataKey, string key, string value)
    {
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject metadata = root["__metadata__"]!.AsObject();
        string json = (string)metadata[metadataKey]!;
        string repeated = Regex.Replace(json, $"\"{key}\":([^,}}]*)", m => $"{m.Value},\"{key}\":{value}", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.NotEqual(json, repeated);
        metadata[metadataKey] = repeated;
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
    }
}
