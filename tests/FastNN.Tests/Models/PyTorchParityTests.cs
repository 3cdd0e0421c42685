using System.Text.Json;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Models;

/// <summary>
/// Compares every layer, loss and two networks with PyTorch 1.13 in float64, from fixtures written once by
/// Fixtures/make_layer_fixtures.py: output, loss, input gradient, every parameter gradient and the state after the
/// forward pass, each within 1e-10 relative (|a − r| ≤ 1e-10·|r| + 1e-15 absolute for exact zeros; a larger absolute
/// term where the fixture's arithmetic allows more rounding, see <see cref="AbsoluteFor"/>).
/// </summary>
public class PyTorchParityTests
{
    private const double Relative = 1e-10;
    private const double Absolute = 1e-15;

    // Fixtures whose arithmetic allows PyTorch's and FastNN's rounding a larger absolute difference (both checked against
    // mpmath: each within the bound, neither exact):
    // layernorm_one_feature: x̂ is exactly 0 (FastNN computes x − μ = 0), but PyTorch's fused x·rstd − μ·rstd with
    //   rstd = 1/√ε ≈ 316 leaves up to ulp(316·|x|) ≈ 6e-14 (its weight gradient is -1.2e-14 instead of 0).
    // layernorm_offset: rows near 1000 with a spread of 1e-2: x − μ carries ulp(1000) ≈ 1.1e-13 in either implementation,
    //   times rstd ≈ 180 and |γ| ≤ 1.5: up to 3e-11 in the outputs (x̂·γ meets β near 0); the input gradient takes that
    //   through dy = 2(y − t)/24 and again times rstd·|γ| ≈ 270, plus x̂'s error times rstd·mean(dy·γ·x̂): up to 1e-9.
    //   Measured against mpmath at element 19: FastNN 1.7e-10 off, PyTorch 3.4e-10 off.
    // batchnorm_two_rows: the Linear's bias gradient is Σ over the batch of BatchNorm's input gradient, exactly 0; each
    //   row's dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)) cancels terms of |dy| ≈ 0.5 times γ·rstd ≈ 1.4·32 (feature 0's
    //   two rows are 0.063 apart), several roundings of ε each: residues up to ≈ 5e-14 (PyTorch's 1.8e-14, FastNN's 8.9e-15).
    private static readonly Dictionary<string, double> AbsoluteFor = new()
    {
        ["batchnorm_two_rows"] = 5e-14,
        ["layernorm_one_feature"] = 1e-13,
        ["layernorm_offset"] = 1e-9,
    };

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
        "layernorm_wide", "layernorm_one_feature", "layernorm_offset", "batchnorm_offset", "dropout_p0_train",
        "linear_one_input", "linear_one_output", "residual_nested",
        "batchnorm_eval_one_row", "batchnorm_two_rows", "softmax_one_feature", "log_softmax_one_feature",
    ];

    [Fact]
    public void EveryFixtureIsCovered()
    {
        string[] files = System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;
        Assert.Equal(CaseNames.Order(), files);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name) => Run(name, passes: 1);

    /// <summary>
    /// Two forward and backward passes without ZeroGrad leave twice the parameter gradients, as PyTorch's .grad
    /// accumulates over two backward calls (g + g = 2g exactly, so the fixture's gradients doubled are the reference).
    /// The input gradient is overwritten by each pass (documented on <see cref="Sequential{T}.InputGradient"/>), where
    /// PyTorch's x.grad would accumulate too: a deliberate difference.
    /// </summary>
    [Theory]
    [InlineData("every_layer")]
    [InlineData("residual_nested")]
    [InlineData("prelu_per_feature")]
    public void ParameterGradientsAccumulateOverTwoBackwardCallsAsInPyTorch(string name) => Run(name, passes: 2);

    private static void Run(string name, int passes)
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
        model.ZeroGrad();
        double[] output = [];
        double value = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            output = model.Forward(Read(f.GetProperty("input")), batch).ToArray();
            double[] gradient = new double[output.Length];
            value = loss.Compute(output, Read(f.GetProperty("target")), gradient, batch);
            model.Backward(gradient, batch);
        }

        Close(name, "output", Read(f.GetProperty("output")), output);
        Close(name, "loss", [f.GetProperty("loss_value").GetDouble()], [value]);
        Close(name, "input gradient", Read(f.GetProperty("input_grad")), model.InputGradient(batch).ToArray());
        foreach (ParameterTensor p in model.ParameterTensors)
            Close(name, p.Name + " gradient", Read(f.GetProperty("parameter_grads").GetProperty(p.Name)).Select(g => passes * g).ToArray(), model.Gradients.Slice(p.Offset, p.Length).ToArray());
        if (passes > 1)
            return; // the running statistics moved twice; the fixture holds them after one pass
        foreach (StateTensor s in model.StateTensors)
            Close(name, s.Name, Read(f.GetProperty("state_after").GetProperty(s.Name)), model.State.Slice(s.Offset, s.Length).ToArray());
    }

    private static double[] Read(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(string fixture, string tensor, double[] expected, double[] actual)
    {
        double absolute = AbsoluteFor.GetValueOrDefault(fixture, Absolute);
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) / (Relative * Math.Abs(expected[i]) + absolute);
            if (!(excess <= worst))
                (worst, at) = (excess, i);
        }
        Assert.True(worst <= 1, at < 0 ? "" : $"{fixture}: {tensor}[{at}] = {actual[at]:R}, PyTorch {expected[at]:R} (error {worst:F1}× the tolerance)");
    }
}
