using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Tests.Gradients;
using FastNN.Tests.Layers;
using FsCheck.Xunit;

namespace FastNN.Tests.Losses;

public class LossTests
{
    private static (double[] Prediction, double[] Target, int Batch, int Features) Shapes(byte b, byte f, int seed, out Random random)
    {
        random = new Random(seed);
        int batch = TestData.Batch(b), features = TestData.Width(f);
        return (TestData.Uniform(random, batch * features, 3), TestData.Uniform(random, batch * features, 3), batch, features);
    }

    [Property(MaxTest = 50)]
    public void MseMatchesItsFormulaAndFiniteDifferences(byte b, byte f, int seed)
    {
        var (p, t, batch, _) = Shapes(b, f, seed, out _);
        var loss = new MseLoss<double>();
        double value = loss.Compute(p, t, new double[p.Length], batch);
        Assert.Equal(p.Zip(t, (x, y) => (x - y) * (x - y)).Average(), value, 1e-12);
        GradientCheck.AssertLoss(loss, p, t, batch, Checks.Strict);
    }

    [Property(MaxTest = 50)]
    public void BceWithLogitsMatchesItsFormulaAndFiniteDifferences(byte b, byte f, int seed)
    {
        var (p, t, batch, _) = Shapes(b, f, seed, out _);
        t = t.Select(v => (v + 3) / 6).ToArray(); // probabilities
        var loss = new BceWithLogitsLoss<double>();
        double value = loss.Compute(p, t, new double[p.Length], batch);
        double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        double expected = p.Zip(t, (x, y) => -(y * Math.Log(Sigmoid(x)) + (1 - y) * Math.Log(1 - Sigmoid(x)))).Average();
        Assert.Equal(expected, value, 1e-12);
        GradientCheck.AssertLoss(loss, p, t, batch, Checks.Strict);
    }

    [Property(MaxTest = 50)]
    public void SoftmaxCrossEntropyMatchesItsFormulaAndFiniteDifferences(byte b, byte f, int seed)
    {
        var (p, _, batch, classes) = Shapes(b, f, seed, out Random random);
        double[] labels = Enumerable.Range(0, batch).Select(_ => (double)random.Next(classes)).ToArray();
        var loss = new SoftmaxCrossEntropyLoss<double>();
        double value = loss.Compute(p, labels, new double[p.Length], batch);
        double expected = 0;
        for (int r = 0; r < batch; r++)
        {
            double[] row = p.AsSpan(r * classes, classes).ToArray();
            expected -= Math.Log(Math.Exp(row[(int)labels[r]]) / row.Sum(Math.Exp)) / batch;
        }
        Assert.Equal(expected, value, 1e-12);
        GradientCheck.AssertLoss(loss, p, labels, batch, Checks.Strict);
    }

    /// <summary>At δ from 0.25 to 3 (the default 1 among them; only δ = 1 was differenced before, where a δ dropped from the gradient's clamp goes unseen).</summary>
    [Property(MaxTest = 50)]
    public void HuberMatchesItsFormulaAndFiniteDifferencesAwayFromTheKink(byte b, byte f, byte d, int seed)
    {
        var (p, t, batch, _) = Shapes(b, f, seed, out _);
        double delta = 0.25 * (1 + d % 12);
        // keep |p − t| at least 0.01 from δ, where the second derivative jumps
        for (int i = 0; i < p.Length; i++)
            if (Math.Abs(Math.Abs(p[i] - t[i]) - delta) < 0.01)
                p[i] += 0.05;
        var loss = new HuberLoss<double>(delta);
        double value = loss.Compute(p, t, new double[p.Length], batch);
        Assert.Equal(p.Zip(t, (x, y) => Math.Abs(x - y) < delta ? 0.5 * (x - y) * (x - y) : delta * (Math.Abs(x - y) - 0.5 * delta)).Average(), value, 1e-12);
        GradientCheck.AssertLoss(loss, p, t, batch, Checks.Strict);
    }

    // δ is used in T: one positive as a double but 0 as a float is refused when the loss is made, naming it, not at
    // its first Compute with a message that contradicts the value given.
    [Fact]
    public void AHuberDeltaThatIsZeroInTheElementTypeIsRefusedAtConstruction()
    {
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss<float>(1e-50)).ParamName);
        Assert.Equal(1e-50, new HuberLoss<double>(1e-50).Delta);
        Assert.Equal(float.Epsilon, (float)new HuberLoss<float>(float.Epsilon).Delta);
        // Rounded to nearest: half the least subnormal ties to even, 0; three quarters of it rounds up to it.
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss<float>(float.Epsilon / 2.0)).ParamName);
        Assert.Equal(0.75 * float.Epsilon, new HuberLoss<float>(0.75 * float.Epsilon).Delta);
    }

    // δ = +∞ is allowed, and a δ past float's range is +∞ in float: the same loss and gradient (½d², d) on finite d.
    [Fact]
    public void AnInfiniteHuberDeltaAndOnePastFloatsRangeAreTheQuadraticLoss()
    {
        float[] p = [1152921504606846976f, -2.5f, 0.5f, -0.125f], t = [0, 1, -7, 0];   // 2^60 first: the squares exact in float
        foreach (double delta in new[] { double.PositiveInfinity, 1e300 })
        {
            var gradient = new float[4];
            float mean = new HuberLoss<float>(delta).Compute(p, t, gradient, batch: 1);
            double expected = p.Zip(t, (a, b) => 0.5 * (double)(a - b) * (a - b)).Sum() / 4;
            Assert.Equal((float)expected, mean);
            Assert.Equal(p.Zip(t, (a, b) => (a - b) * 0.25f * 1f), gradient);
        }
    }

    [Fact]
    public void HuberAtTheKinkIsContinuousWithGradientDelta()
    {
        double[] g = new double[2];
        double value = new HuberLoss<double>().Compute([1.0, -1.0], [0.0, 0.0], g, 1);
        Assert.Equal(0.5, value);
        Assert.Equal([0.5, -0.5], g); // clamp(±1, −1, 1) / 2
    }

    [Fact]
    public void BceWithLogitsIsFiniteForHugeLogits()
    {
        double[] g = new double[4];
        float[] gf = new float[4];
        double value = new BceWithLogitsLoss<double>().Compute([1000, -1000, 1000, -1000], [1, 0, 0, 1], g, 1);
        Assert.Equal(2000.0 / 4, value, 1e-9);
        Assert.Equal([0, 0, 0.25, -0.25], g);
        float valueF = new BceWithLogitsLoss<float>().Compute([100f, -100f, 100f, -100f], [1, 0, 0, 1], gf, 1);
        Assert.Equal(50f, valueF, 1e-3f);
    }

    [Fact]
    public void SoftmaxCrossEntropyIsFiniteForHugeLogits()
    {
        float[] g = new float[3];
        float value = new SoftmaxCrossEntropyLoss<float>().Compute([1e4f, 0, -1e4f], [1], g, 1);
        Assert.Equal(1e4f, value, 1f);
        Assert.Equal([1f, -1f, 0f], g);
    }

    [Fact]
    public void SoftmaxCrossEntropyRejectsBadLabels()
    {
        var loss = new SoftmaxCrossEntropyLoss<double>();
        var e = Assert.Throws<ArgumentException>(() => loss.Compute(new double[6], [0, 3], new double[6], 2));
        Assert.Contains("target[1] = 3", e.Message);
        Assert.Throws<ArgumentException>(() => loss.Compute(new double[6], [0.5, 1], new double[6], 2));
        Assert.Throws<ArgumentException>(() => loss.Compute(new double[6], [-1, 1], new double[6], 2));
    }

    [Fact]
    public void ShapeMismatchesNameTheSpan()
    {
        var e = Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(new double[6], new double[5], new double[6], 2));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("[2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(new double[6], new double[6], new double[4], 2));
        Assert.Equal("gradient", e.ParamName);
    }

    [Fact]
    public void EveryLossComputesInPlaceOverThePredictionAsIntoItsOwnGradient()
    {
        double[] logits = [0.3, -1.2, 2.0, 0.5, 0.1, -0.4];
        (ILoss<double> Loss, double[] Target)[] cases =
        [
            (new MseLoss<double>(), [1, 0, 0.5, 0.2, -1, 2]),
            (new BceWithLogitsLoss<double>(), [1, 0, 1, 0, 1, 0]),
            (new HuberLoss<double>(0.5), [1, 0, 0.5, 0.2, -1, 2]),
            (new SoftmaxCrossEntropyLoss<double>(), [2, 0]),
        ];
        foreach ((ILoss<double> loss, double[] target) in cases)
        {
            double[] gradient = new double[6];
            double expected = loss.Compute(logits, target, gradient, 2);
            double[] inPlace = (double[])logits.Clone();
            double value = loss.Compute(inPlace, target, inPlace, 2);
            Assert.Equal(expected, value);
            Assert.Equal(gradient, inPlace);
        }
    }

    [Fact]
    public void AGradientOverlappingTheTargetOrPartlyThePredictionIsRejected()
    {
        double[] buffer = new double[8];
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropyLoss<double>().Compute(new double[6], buffer.AsSpan(0, 2), buffer.AsSpan(1, 6), 2));
        Assert.Equal("gradient", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(buffer.AsSpan(0, 6), new double[6], buffer.AsSpan(2, 6), 2));
        Assert.Equal("gradient", e.ParamName);
    }
}
