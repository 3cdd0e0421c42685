using System.Text.Json;
using FastNN.Models;

namespace FastNN.Tests.Initialization;

/// <summary>
/// Init.Parameters against what PyTorch 1.13's torch.nn.init computes, from Fixtures/init_fixtures.json (written once by
/// Fixtures/make_init_fixtures.py, output committed; the tests never run Python): gains, and for weights of 2 to 4
/// dimensions the bound or standard deviation torch draws with, from its own fans (fan_out counts the receptive field).
/// </summary>
public class InitFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("init_fixtures.json", "FastNN init fixtures"));

    private static Nonlinearity NonlinearityOf(string name) => name switch
    {
        "linear" => Nonlinearity.Linear,
        "sigmoid" => Nonlinearity.Sigmoid,
        "tanh" => Nonlinearity.Tanh,
        "relu" => Nonlinearity.Relu,
        "leaky_relu" => Nonlinearity.LeakyRelu,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown nonlinearity"),
    };

    private static double Param(JsonElement c) => c.GetProperty("param").ValueKind == JsonValueKind.Null ? 0.01 : c.GetProperty("param").GetDouble();

    [Fact]
    public void GainsAreTorchsCalculateGain()
    {
        foreach (JsonElement g in Fixture.Value.GetProperty("gains").EnumerateArray())
        {
            double expected = g.GetProperty("gain").GetDouble();
            double gain = FastNN.Init.Gain(NonlinearityOf(g.GetProperty("nonlinearity").GetString()!), Param(g));
            Assert.True(Math.Abs(gain - expected) <= 1e-15 * expected, $"{g}: {gain}");
        }
    }

    public static TheoryData<string> Cases() => [.. Fixture.Value.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    /// <summary>
    /// n draws from the scheme for the case's weight shape. Uniform U(−b, b): every |w| ≤ b, the largest at least
    /// (1 − q)·b where (1 − q)ⁿ = 10⁻¹² (the chance that n true draws all fall inside), and the variance b²/3 within 6
    /// standard errors √(4b⁴/45n). Normal N(0, σ²): mean within 6σ/√n and variance within 6·σ²·√(2/n).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void WeightsAreDrawnWithTorchsBoundOrStd(string name)
    {
        JsonElement c = Fixture.Value.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        int[] shape = [.. c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32())];
        int n = shape.Aggregate(1, (a, b) => a * b);
        WeightInit scheme = c.GetProperty("scheme").GetString() switch
        {
            "xavier_uniform" => WeightInit.GlorotUniform,
            "xavier_normal" => WeightInit.GlorotNormal,
            "kaiming_uniform" => WeightInit.HeUniform,
            "kaiming_normal" => WeightInit.HeNormal,
            _ => WeightInit.PyTorchLinear,
        };
        ParameterTensor[] tensors = [new("0.weight", 0, n, shape, ParameterKind.Weight, 0), new("0.bias", n, shape[0], [shape[0]], ParameterKind.Bias, 0)];
        var p = new double[n + shape[0]];
        FastNN.Init.Parameters<double>(p, tensors, seed: n, scheme, NonlinearityOf(c.GetProperty("nonlinearity").GetString()!), Param(c),
            c.GetProperty("mode").GetString() == "fan_out" ? FanMode.FanOut : FanMode.FanIn);
        double[] w = p[..n];
        double mean = w.Average(), variance = w.Sum(v => (v - mean) * (v - mean)) / (n - 1);

        if (c.TryGetProperty("bound", out JsonElement b))
        {
            double bound = b.GetDouble(), maxAbs = w.Max(Math.Abs), q = 1 - Math.Pow(1e-12, 1.0 / n);
            Assert.True(maxAbs <= bound * (1 + 1e-14), $"{name}: |w| up to {maxAbs}, torch's bound {bound}");
            Assert.True(maxAbs >= (1 - q) * bound, $"{name}: |w| only up to {maxAbs} of torch's bound {bound}");
            Assert.True(Math.Abs(variance - bound * bound / 3) <= 6 * Math.Sqrt(4 * Math.Pow(bound, 4) / 45 / n), $"{name}: variance {variance}, torch's {bound * bound / 3}");
        }
        else
        {
            double std = c.GetProperty("std").GetDouble();
            Assert.True(Math.Abs(mean) <= 6 * std / Math.Sqrt(n), $"{name}: mean {mean}");
            Assert.True(Math.Abs(variance - std * std) <= 6 * std * std * Math.Sqrt(2.0 / n), $"{name}: variance {variance}, torch's {std * std}");
        }
        if (c.TryGetProperty("bias_bound", out JsonElement biasBound))
            Assert.True(p[n..].Max(Math.Abs) <= biasBound.GetDouble() * (1 + 1e-14), $"{name}: bias outside ±{biasBound.GetDouble()}");
    }
}
