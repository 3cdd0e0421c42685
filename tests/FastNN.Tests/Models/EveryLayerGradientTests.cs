using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FastNN.Tests.Layers;

namespace FastNN.Tests.Models;

/// <summary>GradientCheck on one model holding every layer type, in training and evaluation modes, under every loss.</summary>
public class EveryLayerGradientTests
{
    private static Sequential<double> Model(int seed, int batch) => TestData.Model(new Random(seed), batch,
        new Dense<double>(5, 8, bias: false), new BatchNorm1d<double>(8), new Relu<double>(8),
        new Residual<double>(new Dense<double>(8, 8), new LayerNorm<double>(8), new Gelu<double>(8)),
        new Concat<double>(new Dense<double>(8, 3), new Silu<double>(3)),
        new Residual<double>(new Dense<double>(11, 6), new Tanh<double>(6)),
        new PRelu<double>(6, 6), new Elu<double>(6), new Dropout<double>(6, 0.3),
        new Dense<double>(6, 6), new LeakyRelu<double>(6), new Softplus<double>(6), new Sigmoid<double>(6),
        new Dense<double>(6, 5), new Gelu<double>(5, tanhApproximation: true), new PRelu<double>(5),
        new Dense<double>(5, 4), new LogSoftmax<double>(4), new Dense<double>(4, 4), new Softmax<double>(4));

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void EveryLayerTypeTogetherMatchesFiniteDifferences(int seed, bool training)
    {
        const int batch = 6;
        var model = Model(seed, batch);
        model.Training = training;
        Checks.Passes(model, new Random(seed), batch);
    }

    [Fact]
    public void EveryLossThroughAModelMatchesFiniteDifferences()
    {
        var random = new Random(9);
        const int batch = 5;
        var model = TestData.Model(random, batch, new Dense<double>(4, 6), new Tanh<double>(6), new Dense<double>(6, 3));
        double[] x = TestData.Uniform(random, batch * 4);
        double[] values = TestData.Uniform(random, batch * 3, 2);
        double[] probabilities = values.Select(v => (v + 2) / 4).ToArray();
        double[] labels = [0, 2, 1, 1, 0];
        GradientCheck.Assert(model, x, batch, new MseLoss<double>(), values, Checks.Strict);
        GradientCheck.Assert(model, x, batch, new BceWithLogitsLoss<double>(), probabilities, Checks.Strict);
        GradientCheck.Assert(model, x, batch, new SoftmaxCrossEntropyLoss<double>(), labels, Checks.Strict);
        GradientCheck.Assert(model, x, batch, new HuberLoss<double>(), values, Checks.Strict);
    }
}
