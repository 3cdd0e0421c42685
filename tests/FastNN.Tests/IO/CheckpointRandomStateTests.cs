using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FastNN.IO;
using FastNN.Training;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.IO;

/// <summary>
/// A checkpoint whose dropout or shuffling generator state is all zero, from which xoshiro256** returns 0 forever (no
/// generator reaches it), is a malformed file: <see cref="ModelFileException"/> naming the file and the key, the trainer
/// unchanged (<see cref="Layers.FastRandom.Restore"/> refuses the same state).
/// </summary>
public class CheckpointRandomStateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("dropout_random")]
    [InlineData("shuffle_random")]
    public void AnAllZeroGeneratorStateIsRefused(string key)
    {
        byte[] file = File.ReadAllBytes(CheckpointFile);
        string progress = JsonNode.Parse(SafetensorsReference.Split(file).Header)!["__metadata__"]!["fastnn.checkpoint"]!.GetValue<string>();
        string saved = Regex.Match(progress, $"\"{key}\":\\[[^\\]]*\\]").Value;
        Assert.NotEqual("", saved);
        string path = _folder.Write("checkpoint.safetensors",
            EditMetadata(file, "fastnn.checkpoint", $"{saved}→\"{key}\":[\"0\",\"0\",\"0\",\"0\"]", task: "MultiClassClassification"));
        Trainer<float> trainer = CheckpointTrainer();
        float[] before = trainer.Model.Parameters.ToArray();
        var random = trainer.Model.Random.State;
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"{key} must hold the four words of a FastRandom state, not all zero", e.Message);
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
        Assert.Equal(random, trainer.Model.Random.State);
    }
}
