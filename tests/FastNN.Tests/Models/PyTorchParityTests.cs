using System.Text.Json;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Models;

/// <summary>
/// Compares every layer, loss and two networks with PyTorch 1.13 in float64, from fixtures written once by
/// Fixtures/make_layer_fixtures.py: output, loss, input gradient, every parameter gradient and the state after the
/// forward pass, each within 1e-10 relative (|a − r| ≤ 1e-10·|r| + 1e-15 absolute for exact zeros).
/// </summary>
public class PyTorchParityTests
{
    private const double Relative = 1e-10;
    private const double Absolute = 1e-15;

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "layers");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (string name in CaseNames)
            cases.Add(name);
        return cases;
    }

    private static readonly string[] CaseNames =
    [
        "linear", "linear_nobias", "relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu",
        "softplus", "softplus_threshold", "prelu_shared", "prelu_per_feature", "softmax", "log_softmax",
        "batchnorm_train", "batchnorm_eval", "layernorm", "dropout_eval", "residual", "residual_projection", "concat",
        "loss_mse", "loss_bce_with_logits", "loss_cross_entropy", "loss_huber", "mlp3", "every_layer",
    ];

    [Fact]
    public void EveryFixtureIsCovered()
    {
        string[] files = System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;
        Assert.Equal(CaseNames.Order(), files);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        JsonElement f = document.RootElement;
        Assert.Equal("fastnn-layer-fixture", f.GetProperty("magic").GetString());
        Assert.Equal(1, f.GetProperty("version").GetInt32());
        int batch = f.GetProperty("batch").GetInt32();

        var model = Sequential<double>.FromJson(f.GetProperty("model").GetRawText());
        model.Training = f.GetProperty("training").GetBoolean();
        Assert.Equal(f.GetProperty("parameters").EnumerateObject().Select(p => p.Name), model.ParameterTensors.Select(p => p.Name));
        Assert.Equal(f.GetProperty("state").EnumerateObject().Select(p => p.Name), model.StateTensors.Select(p => p.Name));
        foreach (ParameterTensor p in model.ParameterTensors)
            Read(f.GetProperty("parameters").GetProperty(p.Name)).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        foreach (StateTensor s in model.StateTensors)
            Read(f.GetProperty("state").GetProperty(s.Name)).CopyTo(model.State.Slice(s.Offset, s.Length));

        ILoss<double> loss = f.GetProperty("loss").GetString() switch
        {
            "mse" => new MseLoss<double>(),
            "bce_with_logits" => new BceWithLogitsLoss<double>(),
            "cross_entropy" => new SoftmaxCrossEntropyLoss<double>(),
            "huber" => new HuberLoss<double>(),
            var other => throw new InvalidDataException(other),
        };
        double[] output = model.Forward(Read(f.GetProperty("input")), batch).ToArray();
        double[] gradient = new double[output.Length];
        double value = loss.Compute(output, Read(f.GetProperty("target")), gradient, batch);
        model.ZeroGrad();
        model.Backward(gradient, batch);

        Close(name, "output", Read(f.GetProperty("output")), output);
        Close(name, "loss", [f.GetProperty("loss_value").GetDouble()], [value]);
        Close(name, "input gradient", Read(f.GetProperty("input_grad")), model.InputGradient(batch).ToArray());
        foreach (ParameterTensor p in model.ParameterTensors)
            Close(name, p.Name + " gradient", Read(f.GetProperty("parameter_grads").GetProperty(p.Name)), model.Gradients.Slice(p.Offset, p.Length).ToArray());
        foreach (StateTensor s in model.StateTensors)
            Close(name, s.Name, Read(f.GetProperty("state_after").GetProperty(s.Name)), model.State.Slice(s.Offset, s.Length).ToArray());
    }

    private static double[] Read(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(string fixture, string tensor, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) / (Relative * Math.Abs(expected[i]) + Absolute);
            if (!(excess <= worst))
                (worst, at) = (excess, i);
        }
        Assert.True(worst <= 1, at < 0 ? "" : $"{fixture}: {tensor}[{at}] = {actual[at]:R}, PyTorch {expected[at]:R} (error {worst:F1}× the tolerance)");
    }
}
