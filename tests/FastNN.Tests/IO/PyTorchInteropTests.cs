using System.Numerics;
using System.Text.Json;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;
using Xunit.Abstractions;

namespace FastNN.Tests.IO;

/// <summary>
/// Safetensors files moving between PyTorch 1.13 and FastNN, in float and double, from fixtures made by
/// Fixtures/make_safetensors_fixtures.py: Linear, ReLU, Tanh, GELU, BatchNorm1d (eval), LayerNorm, PReLU, Dropout.
/// PyTorch's files load strictly and FastNN reproduces PyTorch's outputs; FastNN's files (which the script loads into
/// PyTorch with <c>load_state_dict(strict=True)</c>, reproducing FastNN's outputs) are still written byte for byte.
/// Outputs agree when <c>|a − r| ≤ tol·(1 + |r|)</c>, tol 1e-6 in float and 1e-12 in double.
/// </summary>
public class PyTorchInteropTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["mlp_relu", "tanh_gelu", "batchnorm_eval", "layernorm_prelu_dropout"];

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string name in Names)
        {
            cases.Add(name, "f32");
            cases.Add(name, "f64");
        }
        return cases;
    }

    private static string Folder(string side) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", side);

    [Fact]
    public void EveryFixtureIsCovered()
    {
        string[] expected = [.. Names.SelectMany(n => new[] { $"{n}.json", $"{n}_f32.safetensors", $"{n}_f64.safetensors" }).Order()];
        Assert.Equal(expected, Directory.GetFiles(Folder("pytorch")).Select(Path.GetFileName).Order());
        Assert.Equal(Names.SelectMany(n => new[] { $"{n}_f32.json", $"{n}_f32.safetensors", $"{n}_f64.json", $"{n}_f64.safetensors" }).Order(),
            Directory.GetFiles(Folder("fastnn")).Select(Path.GetFileName).Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void APyTorchFileLoadsStrictlyAndReproducesPyTorchsOutputs(string name, string dtype)
    {
        if (dtype == "f32")
            ReproducesPyTorch<float>(name, dtype, 1e-6);
        else
            ReproducesPyTorch<double>(name, dtype, 1e-12);
    }

    private void ReproducesPyTorch<T>(string name, string dtype, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using JsonDocument fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("pytorch"), name + ".json")));
        JsonElement f = fixture.RootElement;
        int batch = f.GetProperty("batch").GetInt32();
        T[] input = Values<T>(f.GetProperty("input_" + dtype));
        double[] expected = Values<double>(f.GetProperty("output_" + dtype));
        string path = Path.Combine(Folder("pytorch"), $"{name}_{dtype}.safetensors");

        // From the file alone (its metadata carries FastNN's description of the nn.Sequential) ...
        Sequential<T> loaded = ModelFile.Load<T>(path).Model;
        Close(expected, loaded.Forward(input, batch), tolerance, $"{name}_{dtype} via Load");

        // ... and strictly into a model built from the description, as load_state_dict(strict=True).
        Sequential<T> built = Sequential<T>.FromJson(f.GetProperty("model").GetRawText(), seed: 1);
        built.Training = false;
        ModelFile.LoadWeights(path, built);
        Close(expected, built.Forward(input, batch), tolerance, $"{name}_{dtype} via LoadWeights");

        var predictor = FastNN.Inference.Predictor<T>.Load(path, chunkRows: 2);
        var predicted = new T[expected.Length];
        predictor.Predict(input, predicted, batch);
        Close(expected, predicted, tolerance, $"{name}_{dtype} via Predictor.Load");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FastNNStillWritesTheFilesPyTorchRead(string name, string dtype)
    {
        if (dtype == "f32")
            WritesTheCheckedFile<float>(name, dtype, 1e-6);
        else
            WritesTheCheckedFile<double>(name, dtype, 1e-12);
    }

    private void WritesTheCheckedFile<T>(string name, string dtype, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using JsonDocument fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("pytorch"), name + ".json")));
        JsonElement f = fixture.RootElement;
        int batch = f.GetProperty("batch").GetInt32();
        T[] input = Values<T>(f.GetProperty("input_" + dtype));
        Sequential<T> model = Sequential<T>.FromJson(f.GetProperty("model").GetRawText());
        FillDeterministically(model);
        model.Training = false;
        T[] output = model.Forward(input, batch).ToArray();

        using var folder = new TempFolder();
        ModelFile.Save(folder.File("m.safetensors"), model);
        byte[] written = File.ReadAllBytes(folder.File("m.safetensors"));
        string file = $"{name}_{dtype}";
        if (Environment.GetEnvironmentVariable("FASTNN_WRITE_FIXTURES") is { Length: > 0 } target)
        {
            File.WriteAllBytes(Path.Combine(target, file + ".safetensors"), written);
            File.WriteAllText(Path.Combine(target, file + ".json"), JsonSerializer.Serialize(new
            {
                input = input.Select(double.CreateTruncating),
                output = output.Select(double.CreateTruncating),
            }));
            return;
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(Folder("fastnn"), file + ".safetensors")), written);
        using JsonDocument recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("fastnn"), file + ".json")));
        Assert.Equal(input, Values<T>(recorded.RootElement.GetProperty("input")));
        // The recorded outputs are one instruction set's; others may differ in the last bits.
        Close(Values<double>(recorded.RootElement.GetProperty("output")), output, tolerance, file);
    }

    // Files laid out as safetensors.torch.save_file writes a state dict (Fixtures/make_safetensors_library_fixtures.py:
    // counts first, then by dtype and by name as text, so "10.weight" before "2.weight"; {"format": "pt"} or no metadata
    // at all), of a model with Residual blocks (one with a projection), BatchNorm, LayerNorm and PReLU: built from its
    // description, the model takes the file strictly and reproduces PyTorch's outputs. Load refuses it, naming the missing
    // architecture.
    [Theory]
    [InlineData("f32")]
    [InlineData("f64")]
    public void AFileTheSafetensorsLibraryLaidOutLoadsIntoTheModelItHolds(string dtype)
    {
        if (dtype == "f32")
            LoadsLibraryLayout<float>(dtype, 1e-6);
        else
            LoadsLibraryLayout<double>(dtype, 1e-12);
    }

    private void LoadsLibraryLayout<T>(string dtype, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using JsonDocument fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("library"), "residual_norms.json")));
        JsonElement f = fixture.RootElement;
        string path = Path.Combine(Folder("library"), $"residual_norms_{dtype}.safetensors");
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        Assert.Equal(dtype == "f32" ? ["format"] : [], metadata.Keys);
        Assert.Equal("I64", tensors["1.num_batches_tracked"].DType);
        Assert.Empty(tensors["1.num_batches_tracked"].Shape);

        Sequential<T> model = Sequential<T>.FromJson(f.GetProperty("model").GetRawText(), seed: 1);
        model.Training = false;
        ModelFile.LoadWeights(path, model);
        int batch = f.GetProperty("batch").GetInt32();
        Close(Values<double>(f.GetProperty("output_" + dtype)), model.Forward(Values<T>(f.GetProperty("input_" + dtype)), batch), tolerance, $"residual_norms_{dtype}");

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<T>(path));
        Assert.Contains("no fastnn.architecture metadata", e.Message);
    }

    // Weights in PyTorch-like ranges from a fixed seed: the files, and so the fixtures, never change unless the format does.
    private static void FillDeterministically<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new FastRandom(20261206);
        T[] Draw(int n, double low, double high) => [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble(low, high)))];
        foreach (ParameterTensor p in model.ParameterTensors)
        {
            (double low, double high) = p.Kind switch
            {
                ParameterKind.NormScale => (0.5, 1.5),
                ParameterKind.PReluSlope => (0.05, 0.5),
                _ => (-1.0, 1.0),
            };
            model.SetTensor(p.Name, Draw(p.Length, low, high));
        }
        foreach (StateTensor s in model.StateTensors)
        {
            model.SetTensor(s.Name, s.Name.EndsWith("running_mean") ? Draw(s.Length, -0.5, 0.5)
                : s.Name.EndsWith("running_var") ? Draw(s.Length, 0.5, 2.0)
                : [T.CreateTruncating(7)]);
        }
    }

    private static T[] Values<T>(JsonElement array) where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. array.EnumerateArray().Select(v => T.CreateTruncating(v.GetDouble()))];

    private void Close<T>(double[] expected, ReadOnlySpan<T> actual, double tolerance, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(double.CreateTruncating(actual[i]) - expected[i]) / (1 + Math.Abs(expected[i])));
        output.WriteLine($"{what}: worst |a − r| / (1 + |r|) = {worst:E2}");
        Assert.True(worst <= tolerance, $"{what}: worst |a − r| / (1 + |r|) = {worst:E3} exceeds {tolerance:E0}");
    }
}
