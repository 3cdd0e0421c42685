using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FsCheck.Xunit;

namespace FastNN.Tests.Layers;

public class ActivationTests
{
    /// <summary>Every activation layer, by name, over n features.</summary>
    private static readonly (string Name, Func<int, ILayer<double>> Create)[] All =
    [
        ("Sigmoid", n => new Sigmoid<double>(n)),
        ("Tanh", n => new Tanh<double>(n)),
        ("ReLU", n => new Relu<double>(n)),
        ("LeakyReLU", n => new LeakyRelu<double>(n, 0.1)),
        ("ELU", n => new Elu<double>(n, 0.7)),
        ("GELU", n => new Gelu<double>(n)),
        ("GELU tanh", n => new Gelu<double>(n, tanhApproximation: true)),
        ("SiLU", n => new Silu<double>(n)),
        ("Softplus", n => new Softplus<double>(n)),
        ("Softplus β=2, threshold 1.5", n => new Softplus<double>(n, 2, 1.5)),
        ("PReLU shared", n => new PRelu<double>(n)),
        ("PReLU per feature", n => new PRelu<double>(n, n)),
        ("Softmax", n => new Softmax<double>(n)),
        ("LogSoftmax", n => new LogSoftmax<double>(n)),
    ];

    [Property(MaxTest = 15)]
    public void EveryActivationMatchesFiniteDifferences(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(f);
        foreach ((string name, Func<int, ILayer<double>> create) in All)
        {
            // Inputs at least 0.1 from the kinks at 0 and from Softplus's switch at β·x = threshold (x = 0.75 here).
            double[] x = TestData.AwayFromZero(random, batch * n).Select(v => Math.Abs(v - 0.75) < 0.1 ? v + 0.2 : v).ToArray();
            var model = TestData.Model(random, batch, create(n));
            try
            {
                Checks.Passes(model, random, batch, x);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{name}: {e.Message}");
            }
        }
    }

    [Fact]
    public void DerivativesAtTheKinksFollowPyTorch()
    {
        // PyTorch: ReLU'(0) = 0; LeakyReLU'(0) = slope; PReLU'(0) = slope; ELU'(0) = α (x ≤ 0 branch).
        Assert.Equal(0.0, DerivativeAtZero(new Relu<double>(1)));
        Assert.Equal(0.1, DerivativeAtZero(new LeakyRelu<double>(1, 0.1)));
        Assert.Equal(0.25, DerivativeAtZero(new PRelu<double>(1)));
        Assert.Equal(0.7, DerivativeAtZero(new Elu<double>(1, 0.7)), 1e-15);
    }

    private static double DerivativeAtZero(ILayer<double> layer)
    {
        var model = new Sequential<double>([layer], 1);
        model.Forward([0.0], 1);
        model.Backward([1.0], 1);
        return model.InputGradient(1)[0];
    }

    [Fact]
    public void PReluSlopesStartAtAQuarterAndLearn()
    {
        var model = new Sequential<double>([new PRelu<double>(3, 3)], 2);
        Assert.Equal([0.25, 0.25, 0.25], model.Parameters.ToArray());
        Assert.Equal("0.weight", model.ParameterTensors[0].Name);
        Assert.Equal(ParameterKind.PReluSlope, model.ParameterTensors[0].Kind);
        model.Forward([-1.0, 2.0, -3.0, -4.0, 5.0, 6.0], 2);
        model.Backward([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 2);
        Assert.Equal([-5.0, 0.0, -3.0], model.Gradients.ToArray()); // Σ over rows of x where x ≤ 0
    }

    [Fact]
    public void SoftmaxLayersStayFiniteOnHugeRows()
    {
        var softmax = new Sequential<float>([new Softmax<float>(3)], 1);
        Assert.Equal([1f, 0f, 0f], softmax.Forward([1000f, 0f, -1000f], 1).ToArray());
        var logSoftmax = new Sequential<float>([new LogSoftmax<float>(3)], 1);
        Assert.Equal([0f, -1000f, -2000f], logSoftmax.Forward([1000f, 0f, -1000f], 1).ToArray());
    }

    [Fact]
    public void JsonDescribesEveryActivation()
    {
        var layers = All.Select(a => a.Create(4)).ToArray();
        var model = new Sequential<double>(layers, 2);
        string json = model.ToJson();
        var copy = Sequential<double>.FromJson(json);
        Assert.Equal(json, copy.ToJson());
        Assert.Equal(layers.Select(l => l.GetType()), copy.Layers.Select(l => l.GetType()));
        Assert.Contains("{\"type\":\"GELU\",\"approximate\":\"tanh\"}", json);
        Assert.Contains("{\"type\":\"Softplus\",\"beta\":2,\"threshold\":1.5}", json);
        Assert.Contains("{\"type\":\"PReLU\",\"num_parameters\":4,\"init\":0.25}", json);
    }

    [Fact]
    public void HyperParametersThatTheKernelsRejectAreRejectedWhenTheLayerIsBuilt()
    {
        // Before: LeakyReLU, ELU and softplus took them and threw at the first Forward; PReLU's NaN slope gave NaN outputs.
        Assert.Equal("negativeSlope", Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyRelu<double>(3, double.NaN)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Elu<double>(3, double.PositiveInfinity)).ParamName);
        Assert.Equal("initialSlope", Assert.Throws<ArgumentOutOfRangeException>(() => new PRelu<double>(3, 1, double.NaN)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<double>(3, 0)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<double>(3, -1)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<double>(3, 1, double.NaN)).ParamName);
        // Finite as a double, infinite as the layer's float.
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<float>(3, 1e300)).ParamName);
        Assert.Equal("negativeSlope", Assert.Throws<ArgumentOutOfRangeException>(() => new SequentialBuilder<float>(3).LeakyRelu(1e300)).ParamName);
    }

    [Fact]
    public void AnInfiniteSoftplusThresholdIsRefusedAsNoDescriptionHoldsIt()
    {
        // Before: taken, and the model's ToJson (and so every model file save) threw System.Text.Json's "values such as
        // positive and negative infinity cannot be written as valid JSON", naming neither the layer nor the threshold; a
        // description holding 1e400 built such a model. A finite threshold past T's range still works (±∞ in T).
        foreach (double threshold in new[] { double.PositiveInfinity, double.NegativeInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SequentialBuilder<double>(3).Softplus(threshold: threshold));
            Assert.Equal("threshold", e.ParamName);
            Assert.Contains("finite", e.Message);
        }
        var read = Assert.Throws<FormatException>(() => Sequential<double>.FromJson(
            "{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Softplus\",\"threshold\":1e400}]}"));
        Assert.StartsWith("$.layers[0]: threshold must be finite", read.Message);
        var wide = new SequentialBuilder<float>(2).Softplus(threshold: 1e300).Build(maxBatch: 1);
        Assert.Equal([1e30f, 0f], wide.Forward([1e30f, -1e30f], 1).ToArray());
        Assert.Contains("\"threshold\":1E+300", wide.ToJson());
    }
}
