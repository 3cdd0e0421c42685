using System.Text.Json;
using System.Text.Json.Nodes;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary><see cref="ModelInfo.Notes"/> in model files and checkpoints, and <see cref="ModelFile.ReadInfo"/>, which reads the info alone.</summary>
public class ModelNotesTests
{
    private static readonly Dictionary<string, string> Notes = new()
    {
        ["--lr"] = "0.001",
        ["--layers"] = "",
        ["quoted \"name\""] = "a, b; \"c\" é",
    };

    [Fact]
    public void NotesRoundTripThroughModelFilesAndCheckpointsAndReadInfoReadsThemWithoutTheTensors()
    {
        using var folder = new TempFolder();
        string model = folder.File("model.safetensors"), checkpoint = folder.File("run.safetensors");
        ModelInfo info = IoModels.Info with { Notes = Notes };
        ModelFile.Save(model, IoModels.Sample<float>(), info);

        Assert.Equal(Notes, ModelFile.Load<float>(model).Info.Notes!);
        ModelInfo read = ModelFile.ReadInfo(model);
        Assert.Equal(Notes, read.Notes!);
        Assert.Equal(info.FeatureNames, read.FeatureNames);
        Assert.Equal(info.Input!.Means.ToArray(), read.Input!.Means.ToArray());
        var (_, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(model))!.Value;
        Assert.Equal(Notes, JsonSerializer.Deserialize<Dictionary<string, string>>(metadata["fastnn.notes"])!);

        Sequential<double> small = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        var trainer = new Trainer<double>(small, new MseLoss<double>(), new Sgd<double>(small.Parameters.Length, 0.1), TaskKind.Regression);
        Checkpoint.Save(checkpoint, trainer, new ModelInfo { Task = TaskKind.Regression, Notes = Notes });
        Assert.Equal(Notes, ModelFile.ReadInfo(checkpoint).Notes!);
        Assert.Equal(Notes, Checkpoint.Load(checkpoint, trainer).Notes!);
        Assert.Null(ModelFile.ReadInfo(Save(folder, "bare.safetensors")).Notes);
    }

    private static string Save(TempFolder folder, string name)
    {
        string path = folder.File(name);
        ModelFile.Save(path, IoModels.Sample<float>());
        return path;
    }

    [Fact]
    public void ANullNoteCannotBeSavedAndMalformedNotesAreAModelFileError()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(folder.File("m.safetensors"), IoModels.Sample<float>(),
            new ModelInfo { Notes = new Dictionary<string, string> { ["seed"] = null! } }));
        Assert.Contains("Notes['seed'] is null", e.Message);

        string path = folder.File("notes.safetensors");
        ModelFile.Save(path, IoModels.Sample<float>(), new ModelInfo { Notes = Notes });
        foreach (string bad in new[] { "[\"0.001\"]", "{\"--lr\": 0.001}", "{\"a\": \"1\", \"a\": \"2\"}", "{" })
        {
            (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
            JsonNode root = JsonNode.Parse(header)!;
            root["__metadata__"]!["fastnn.notes"] = bad;
            string broken = folder.File("broken.safetensors");
            File.WriteAllBytes(broken, SafetensorsReference.Build(root.ToJsonString(), data));
            var error = Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(broken));
            Assert.Contains("fastnn.notes", error.Message);
            Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(broken));
        }
    }

    [Fact]
    public void ReadInfoOfAFileWithoutArchitectureOrOfNoModelFileIsAModelFileError()
    {
        using var folder = new TempFolder();
        string text = folder.File("data.csv");
        File.WriteAllText(text, "a,b\n1,2\n");
        Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(text));
        Assert.Throws<FileNotFoundException>(() => ModelFile.ReadInfo(folder.File("none.safetensors")));
    }
}
