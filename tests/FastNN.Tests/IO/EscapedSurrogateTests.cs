using FastNN.IO;
using FastNN.Models;
using FastNN.Training;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.IO;

/// <summary>
/// A metadata value is itself JSON, and valid JSON may escape a lone surrogate (<c>\ud800</c>), which System.Text.Json
/// finds only when the text is read: each reader must take it for a malformed file (<see cref="ModelFileException"/>
/// naming the file, a trainer aimed at unchanged) or, for <see cref="Sequential{T}.FromJson"/>, a malformed description.
/// </summary>
public class EscapedSurrogateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string> SurrogateEdits => new()
    {
        { "fastnn.class_labels", "[\"\\ud800\",\"b\"]" },
        { "fastnn.feature_names", "[\"\\ud800\",\"b\",\"c\",\"d\"]" },
        { "fastnn.notes", "{\"a\":\"\\ud800\"}" },
        { "fastnn.notes", "{\"\\ud800\":\"a\"}" },
        { "fastnn.architecture", "\"ReLU\"→\"\\ud800\"" },
        { "fastnn.architecture", "\"type\":\"ReLU\"→\"type\":\"ReLU\",\"\\udc00\":1" },
    };

    // Before: InvalidOperationException ("Cannot read incomplete UTF-16 JSON text as string with missing low surrogate")
    // escaped ModelFile.Load, ModelFile.ReadInfo and Checkpoint.Load.
    [Theory]
    [MemberData(nameof(SurrogateEdits))]
    public void AnEscapedLoneSurrogateInsideAMetadataValueIsAModelFileException(string key, string edit)
    {
        string model = _folder.Write("model.safetensors", EditMetadata(File.ReadAllBytes(BatchNormFile), key, edit, task: "BinaryClassification"));
        Assert.Equal(model, Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(model)).FilePath);
        Assert.Equal(model, Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(model)).FilePath);

        string checkpoint = _folder.Write("checkpoint.safetensors", EditMetadata(File.ReadAllBytes(CheckpointFile), key, edit, task: "MultiClassClassification"));
        Trainer<float> trainer = CheckpointTrainer();
        float[] before = trainer.Model.Parameters.ToArray();
        Assert.Equal(checkpoint, Assert.Throws<ModelFileException>(() => Checkpoint.Load(checkpoint, trainer)).FilePath);
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
    }

    // The same text given to Sequential.FromJson, whose docs promise FormatException for a malformed description.
    [Fact]
    public void FromJsonTakesAnEscapedLoneSurrogateForAMalformedDescription()
    {
        const string json = "{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"\\ud800\"}]}";
        Assert.Contains("not valid UTF-16", Assert.Throws<FormatException>(() => Sequential<float>.FromJson(json)).Message);
    }
}
