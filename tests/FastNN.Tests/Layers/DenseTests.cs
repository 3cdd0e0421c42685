using FastNN.Models;
using FastNN.Layers;
using FastNN.Tests.Gradients;
using FsCheck.Xunit;

namespace FastNN.Tests.Layers;

public class DenseTests
{
    [Property(MaxTest = 40)]
    public void GradientsMatchFiniteDifferences(byte b, byte i, byte o, bool bias, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b);
        Checks.Passes(TestData.Model(random, batch, new Dense<double>(TestData.Width(i), TestData.Width(o), bias)), random, batch);
    }

    /// <summary>
    /// A Dense layer followed by sigmoid or tanh, which the chain runs fused (the bias add and f in one pass forward, f′
    /// from the output and the bias gradient in one pass backward), with and without a bias. Before, the fused sigmoid and
    /// the fused pairs without a bias were differenced directly only where a random architecture happened to draw them
    /// (FusedStepTests compares them with the unfused chain).
    /// </summary>
    [Property(MaxTest = 40)]
    public void FusedWithItsActivationGradientsMatchFiniteDifferences(byte b, byte i, byte o, bool bias, bool sigmoid, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(i), m = TestData.Width(o);
        ILayer<double> activation = sigmoid ? new Sigmoid<double>(m) : new Tanh<double>(m);
        Checks.Passes(TestData.Model(random, batch, new Dense<double>(n, m, bias), activation, new Dense<double>(m, 2)), random, batch);
    }

    [Property(MaxTest = 40)]
    public void ForwardIsXWTransposedPlusB(byte b, byte i, byte o, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(i), m = TestData.Width(o);
        var model = TestData.Model(random, batch, new Dense<double>(n, m));
        double[] x = TestData.Uniform(random, batch * n);
        double[] y = model.Forward(x, batch).ToArray();
        Span<double> w = model.Parameter("0.weight"), bias = model.Parameter("0.bias");
        for (int r = 0; r < batch; r++)
            for (int c = 0; c < m; c++)
            {
                double expected = bias[c];
                for (int k = 0; k < n; k++)
                    expected += x[r * n + k] * w[c * n + k];
                Assert.Equal(expected, y[r * m + c], 1e-12);
            }
    }

    [Fact]
    public void InitializationIsNnLinearDefault()
    {
        var model = new Sequential<double>([new Dense<double>(16, 300)], 1, seed: 7);
        double bound = 1 / Math.Sqrt(16);
        Assert.All(model.Parameters.ToArray(), p => Assert.InRange(Math.Abs(p), 0, bound));
        // Uniform over (−b, b): the largest of 4 800 draws is close to b.
        Assert.True(model.Parameters.ToArray().Max(Math.Abs) > 0.99 * bound);
    }

    [Fact]
    public void BackwardAccumulatesParameterGradientsAndOverwritesInputGradient()
    {
        var random = new Random(3);
        var model = TestData.Model(random, 2, new Dense<double>(3, 4));
        double[] x = TestData.Uniform(random, 6), dy = TestData.Uniform(random, 8);
        model.Forward(x, 2);
        model.Backward(dy, 2);
        double[] once = model.Gradients.ToArray();
        double[] dxOnce = model.InputGradient(2).ToArray();
        model.Forward(x, 2);
        model.Backward(dy, 2);
        for (int k = 0; k < once.Length; k++)
            Assert.Equal(2 * once[k], model.Gradients[k], 1e-14);
        Assert.Equal(dxOnce, model.InputGradient(2).ToArray());
        model.ZeroGrad();
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0.0, g));
    }
}
