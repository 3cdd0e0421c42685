using System.Numerics;
using FastNN.Models;
using FastNN.Layers;
using FastNN.Tests.Gradients;
using FsCheck.Xunit;

namespace FastNN.Tests.Layers;

public class NormalizationTests
{
    [Property(MaxTest = 40)]
    public void BatchNormTrainingGradientsMatchFiniteDifferences(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = 2 + b % 7; // training needs two rows
        int features = TestData.Width(f);
        Checks.Passes(TestData.Model(random, batch, new BatchNorm1d<double>(features)), random, batch, Spread(random, batch, features));
    }

    [Property(MaxTest = 40)]
    public void BatchNormEvaluationGradientsMatchFiniteDifferences(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b);
        var model = TestData.Model(random, batch, new BatchNorm1d<double>(TestData.Width(f)));
        model.Training = false;
        Checks.Passes(model, random, batch);
    }

    [Property(MaxTest = 30)]
    public void BatchNormFollowsPyTorchEquations(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = 2 + b % 7, n = TestData.Width(f);
        var model = TestData.Model(random, batch, new BatchNorm1d<double>(n));
        double[] runningMean = model.State[..n].ToArray(), runningVar = model.State.Slice(n, n).ToArray();
        double[] gamma = model.Parameter("0.weight").ToArray(), beta = model.Parameter("0.bias").ToArray();
        double[] x = TestData.Uniform(random, batch * n, 3);
        double[] y = model.Forward(x, batch).ToArray();
        for (int c = 0; c < n; c++)
        {
            double[] column = Enumerable.Range(0, batch).Select(r => x[r * n + c]).ToArray();
            double mean = column.Average();
            double biased = column.Sum(v => (v - mean) * (v - mean)) / batch;
            for (int r = 0; r < batch; r++)
                Assert.Equal(gamma[c] * (x[r * n + c] - mean) / Math.Sqrt(biased + 1e-5) + beta[c], y[r * n + c], 1e-12);
            Assert.Equal(0.9 * runningMean[c] + 0.1 * mean, model.State[c], 1e-12);
            Assert.Equal(0.9 * runningVar[c] + 0.1 * biased * batch / (batch - 1), model.State[n + c], 1e-12);
        }
        Assert.Equal(4.0, model.State[2 * n]); // num_batches_tracked: 3 set by TestData, plus one

        model.Training = false;
        double[] evalY = model.Forward(x, batch).ToArray();
        for (int r = 0; r < batch; r++)
            for (int c = 0; c < n; c++)
                Assert.Equal(gamma[c] * (x[r * n + c] - model.State[c]) / Math.Sqrt(model.State[n + c] + 1e-5) + beta[c], evalY[r * n + c], 1e-12);
        Assert.Equal(4.0, model.State[2 * n]); // evaluation leaves the statistics alone
    }

    [Fact]
    public void BatchNormBackwardFollowsTheModeOfItsForwardPass()
    {
        var random = new Random(12);
        var model = TestData.Model(random, 4, new BatchNorm1d<double>(3));
        double[] x = TestData.Uniform(random, 12), dy = TestData.Uniform(random, 12);
        double[] state = model.State.ToArray();
        model.Forward(x, 4);
        model.Backward(dy, 4);
        double[] expected = model.InputGradient(4).ToArray();

        state.CopyTo(model.State);
        model.Forward(x, 4);
        model.Training = false; // switched between the passes
        model.Backward(dy, 4);
        Assert.Equal(expected, model.InputGradient(4).ToArray());
    }

    /// <summary>
    /// In training a constant column normalizes to exactly β, adds nothing to running_var (σ² = 0) and gets the input
    /// gradient γ/√ε·(dy − mean(dy)), as the formulas say. Where its plainly summed mean rounded, as PyTorch's does
    /// (255 rows of 2024.1f; 100 rows of 1e30 in double), every row came out at β + 0.81γ or β ± γ, and the gradient
    /// was scaled by about 1/|rounding| instead of 1/√ε.
    /// </summary>
    [Fact]
    public void BatchNormTrainingNormalizesAConstantColumnToExactlyBeta()
    {
        ConstantColumn<float>(2024.1, 255, 1e-5);
        ConstantColumn<double>(1e30, 100, 1e-12);
    }

    private static void ConstantColumn<T>(double value, int rows, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Sequential<T>([new BatchNorm1d<T>(2, momentum: 0.25)], rows);
        model.SetTensor("0.weight", [T.CreateTruncating(1.5), T.One]);
        model.SetTensor("0.bias", [T.CreateTruncating(0.75), T.Zero]);
        var random = new Random(4);
        T[] x = new T[2 * rows], dy = new T[2 * rows];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateTruncating(i % 2 == 0 ? value : random.NextDouble());
            dy[i] = T.CreateTruncating(2 * random.NextDouble() - 1);
        }
        T[] y = model.Forward(x, rows).ToArray();
        for (int r = 0; r < rows; r++)
            Assert.True(y[2 * r] == T.CreateTruncating(0.75), $"{typeof(T).Name} row {r}: {y[2 * r]}");
        T m = T.CreateTruncating(0.25);
        Assert.Equal(m * T.CreateTruncating(value), model.Tensor("0.running_mean")[0]);
        Assert.Equal(T.One - m, model.Tensor("0.running_var")[0]);

        model.Backward(dy, rows);
        ReadOnlySpan<T> dx = model.InputGradient(rows);
        double meanDy = Enumerable.Range(0, rows).Average(r => double.CreateTruncating(dy[2 * r])), scale = 1.5 / Math.Sqrt(1e-5);
        for (int r = 0; r < rows; r++)
        {
            double expected = scale * (double.CreateTruncating(dy[2 * r]) - meanDy);
            Assert.True(Math.Abs(double.CreateTruncating(dx[2 * r]) - expected) <= tolerance * scale,
                $"{typeof(T).Name} row {r}: dx {dx[2 * r]}, expected {expected}");
        }
    }

    [Fact]
    public void BatchNormTrainingRejectsASingleRow()
    {
        var model = new Sequential<double>([new Dense<double>(3, 3), new Residual<double>(new Dense<double>(3, 3), new BatchNorm1d<double>(3))], 4);
        var e = Assert.Throws<ArgumentException>(() => { model.Forward(new double[3], 1); });
        Assert.StartsWith("Layer 1 (Residual) forward: residual body layer 1 (BatchNorm1d) forward: BatchNorm1d in training mode needs more than 1 row", e.Message);
        Assert.IsType<ArgumentOutOfRangeException>(e.InnerException?.InnerException);
        Assert.Equal("batch", e.ParamName);
    }

    [Theory]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)] // finite in double, +∞ in float: every forward pass threw 'eps' from the kernel before
    public void LayerNormRejectsAnEpsilonThatIsNegativeOrNotFinite(double eps) =>
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => new LayerNorm<float>(4, eps));

    [Theory]
    [InlineData(-1e-5)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0)] // a NaN whose sign bit is clear: ThrowIfNegative let it through (double.NaN has the sign bit set)
    public void BatchNormRejectsAnEpsilonThatIsNegativeOrNotFinite(double eps)
    {
        // As LayerNorm: an infinite or NaN ε built a layer that a model file cannot describe (ModelFile.Save threw
        // System.Text.Json's ArgumentException on the number, naming no eps), and a NaN one made every output NaN.
        if (eps == 0)
            eps = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0000);
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => new BatchNorm1d<float>(4, eps));
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => new BatchNorm1d<double>(4, eps));
    }

    [Fact]
    public void BatchNormRefusesAnEpsilonFiniteInDoubleButNotInFloat()
    {
        // As LayerNorm: 1e300 is +∞ in float, where every normalized value became 0 and the layer output its bias
        // whatever the input, silently. In double it is finite: the layer runs (ε dominates the variance).
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => new BatchNorm1d<float>(4, 1e300));
        var model = new Sequential<double>([new BatchNorm1d<double>(3, 1e300)], 2);
        model.Parameter("0.bias").Fill(0.5);
        Assert.Equal([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], model.Forward([1.0, 2, 4, 3, 5, 9], 2).ToArray());
    }

    [Fact]
    public void LayerNormTakesAnEpsilonFiniteInItsElementType()
    {
        // 1e300 is finite in double: the layer runs (ε dominates the variance, so the output is the bias).
        var model = new Sequential<double>([new LayerNorm<double>(3, 1e300)], 1);
        model.Parameter("0.bias").Fill(0.5);
        Assert.Equal([0.5, 0.5, 0.5], model.Forward([1.0, 2, 4], 1).ToArray());
    }

    [Fact]
    public void BatchNormStateIsNamedAsPyTorchAndStartsAtDefaults()
    {
        var model = new Sequential<double>([new Dense<double>(2, 3), new BatchNorm1d<double>(3)], 4);
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], model.StateTensors.Select(s => s.Name));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], model.ParameterTensors.Select(s => s.Name));
        Assert.Equal([0.0, 0, 0, 1, 1, 1, 0, 0], model.State.ToArray()); // num_batches_tracked: value and remainder (StateCount)
        Assert.Equal([1.0, 1, 1, 0, 0, 0], model.Parameters[9..].ToArray());
    }

    [Property(MaxTest = 40)]
    public void LayerNormGradientsMatchFiniteDifferences(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), features = TestData.Width(f);
        Checks.Passes(TestData.Model(random, batch, new LayerNorm<double>(features)), random, batch, Spread(random, batch, features));
    }

    /// <summary>
    /// x[r, c] = 0.5·(r + c) + U(−0.2, 0.2): neighbours along a row or a column at least 0.1 apart. Where the values
    /// normalized together nearly coincide (σ² near ε), x̂ = (x − μ)/√(σ² + ε) bends so sharply that the central
    /// difference's own error h²|f‴|/6 passes the strict tolerance: seed 6, batch 2, 11 features, column 2 at 0.10241 and
    /// 0.10169 (σ² = 1.3e-7) failed at h = 1e-6 by 2.1e-7 while agreeing to 4e-9 at h = 1e-7 (the analytic gradient is right).
    /// </summary>
    private static double[] Spread(Random random, int rows, int cols)
    {
        double[] u = TestData.Uniform(random, rows * cols, 0.2);
        for (int i = 0; i < u.Length; i++)
            u[i] += 0.5 * (i / cols + i % cols);
        return u;
    }

    [Property(MaxTest = 30)]
    public void LayerNormNormalizesEachRow(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(f);
        var model = TestData.Model(random, batch, new LayerNorm<double>(n));
        double[] gamma = model.Parameter("0.weight").ToArray(), beta = model.Parameter("0.bias").ToArray();
        double[] x = TestData.Uniform(random, batch * n, 3);
        double[] y = model.Forward(x, batch).ToArray();
        for (int r = 0; r < batch; r++)
        {
            double[] row = x.AsSpan(r * n, n).ToArray();
            double mean = row.Average(), variance = row.Sum(v => (v - mean) * (v - mean)) / n;
            for (int c = 0; c < n; c++)
                Assert.Equal((row[c] - mean) / Math.Sqrt(variance + 1e-5) * gamma[c] + beta[c], y[r * n + c], 1e-12);
        }
    }
}
