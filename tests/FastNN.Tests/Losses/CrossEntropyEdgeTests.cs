using System.Numerics;
using FastNN.Losses;

namespace FastNN.Tests.Losses;

/// <summary>
/// Softmax cross-entropy (one softmax pass, ℓ = (m − x_k) − log p_m) at its edges, against an independent log-sum-exp
/// in double: one dominant logit among 1,000 classes (p_m ≈ 1), the label far below the max (ℓ large), one class,
/// infinite and NaN logits as PyTorch's nn.CrossEntropyLoss, in place over the logits, and a bad label refused before
/// anything is written.
/// </summary>
public class CrossEntropyEdgeTests
{
    private static double Reference(double[] x, int k)
    {
        double m = x.Max(), s = 0;
        foreach (double v in x)
            s += Math.Exp(v - m);
        return m - x[k] + Math.Log(s);
    }

    private static (double Loss, T[] Gradient) Compute<T>(double[] logits, int label, bool inPlace) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = [.. logits.Select(T.CreateTruncating)];
        T[] g = inPlace ? x : new T[x.Length];
        T loss = new SoftmaxCrossEntropyLoss<T>().Compute(x, [T.CreateTruncating(label)], g, 1);
        return (double.CreateTruncating(loss), g);
    }

    [Theory]
    [InlineData(0, 20.0)]   // the label is the dominant class: ℓ = log(1 + 999 e^-20) ≈ 2.06e-6
    [InlineData(7, 20.0)]   // the label is a small class: ℓ ≈ 20
    [InlineData(0, 3.0)]
    [InlineData(3, 700.0)]  // e^-700 underflows the others' terms in float and nearly in double
    public void ThousandClassesWithOneDominantLogit(int label, double gap)
    {
        var random = new Random(9);
        double[] x = new double[1000];
        for (int i = 0; i < x.Length; i++)
            x[i] = random.NextDouble() - 0.5;
        x[0] = gap;
        foreach (bool inPlace in new[] { false, true })
        {
            double[] xf = [.. x.Select(v => (double)(float)v)];
            double expectedFloat = Reference(xf, label), expectedDouble = Reference(x, label);
            (double lf, float[] gf) = Compute<float>(x, label, inPlace);
            (double ld, double[] gd) = Compute<double>(x, label, inPlace);
            // An absolute error of a few float/double ε of the terms' magnitude (m, x_k, 1): what PyTorch's float loss has too.
            Assert.True(Math.Abs(lf - expectedFloat) <= 4e-7 * (1 + Math.Abs(xf[0]) + Math.Abs(xf[label])), $"float {lf}, reference {expectedFloat}");
            Assert.True(Math.Abs(ld - expectedDouble) <= 1e-15 * (1 + Math.Abs(x[0]) + Math.Abs(x[label])) * 8, $"double {ld}, reference {expectedDouble}");
            // The dominant class's gradient p_0 − [k = 0], within LossPrecisionTests' bound (classes + 8) ε: the float sum of
            // 1,000 exponentials is where the error is (the scalar path, summing in order, loses the 999 terms of 2e-9 each
            // next to the 1 and gives p_0 = 1 exactly, 2.2e-6 off; the vector paths keep them).
            Assert.True(Math.Abs(Math.Exp(-Reference(xf, 0)) - (label == 0 ? 1 : 0) - gf[0]) <= 1008 * 1.2e-7, $"float gradient[0] {gf[0]}");
            Assert.True(gd.All(double.IsFinite) && gf.All(float.IsFinite));
        }
    }

    [Fact]
    public void OneClassIsZeroLossAndZeroGradient()
    {
        (double loss, double[] g) = Compute<double>([3.5], 0, inPlace: true);
        Assert.Equal(0, loss);
        Assert.Equal(0, g[0]);
    }

    /// <summary>
    /// Where the label's class holds every probability (one class; the others' exponentials 0), the label's gradient is
    /// +0, as PyTorch's softmax − one-hot (1 − 1; torch 1.13: [[3.5]], [[−∞, 0]] label 1, [[200, 0, 0]] label 0 all give
    /// +0.0): −q with q = 0 was −0.
    /// </summary>
    [Fact]
    public void ACertainLabelsGradientIsPositiveZero()
    {
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(Compute<double>([3.5], 0, inPlace: true).Gradient[0]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Compute<float>([double.NegativeInfinity, 0], 1, false).Gradient[1]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Compute<float>([200, 0, 0], 0, false).Gradient[0]));
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(Compute<double>([1000, 0, 0], 0, true).Gradient[0]));
    }

    [Fact]
    public void InfiniteAndNaNLogitsGiveWhatPyTorchGives()
    {
        // torch.nn.functional.cross_entropy in float: [-inf, 0] label 0 -> inf; label 1 -> 0; [inf, 0] -> nan; all -inf -> nan; NaN -> nan.
        Assert.Equal(double.PositiveInfinity, Compute<float>([double.NegativeInfinity, 0], 0, false).Loss);
        Assert.Equal(0, Compute<float>([double.NegativeInfinity, 0], 1, false).Loss);
        Assert.True(double.IsNaN(Compute<float>([double.PositiveInfinity, 0], 1, false).Loss));
        Assert.True(double.IsNaN(Compute<float>([double.PositiveInfinity, 0], 0, false).Loss));
        Assert.True(double.IsNaN(Compute<double>([double.NegativeInfinity, double.NegativeInfinity], 0, false).Loss));
        Assert.True(double.IsNaN(Compute<double>([1, double.NaN, 2], 0, false).Loss));
        Assert.True(double.IsNaN(Compute<double>([double.NaN, 1, 2], 2, true).Loss));
    }

    [Fact]
    public void ABadLabelIsRefusedBeforeAnythingIsWritten()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] g = [9, 9, 9, 9, 9, 9];
        Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropyLoss<double>().Compute(x, [0, 3], g, 2));
        Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropyLoss<double>().Compute(x, [2, 0.5], x, 2));
        Assert.Equal([9, 9, 9, 9, 9, 9], g);
        Assert.Equal([1, 2, 3, 4, 5, 6], x);
    }

    [Fact]
    public void LabelsAreComparedWithTheClassCountExactlyInFloat()
    {
        // 2²⁴ + 1 classes round to 2²⁴ in float: before, the valid top label 2²⁴ was refused as ≥ classes. The check alone,
        // as a batch of one row over 2²⁴ + 1 classes would take 134 MB.
        const int classes = (1 << 24) + 1;
        SoftmaxCrossEntropyLoss<float>.CheckLabels([0f, 1 << 24], classes);
        SoftmaxCrossEntropyLoss<double>.CheckLabels([0.0, 1 << 24], classes);
        var e = Assert.Throws<ArgumentException>("target", () => SoftmaxCrossEntropyLoss<float>.CheckLabels([0f, (1 << 24) + 2], classes));
        Assert.Contains("target[1] = 16777218 is not a class index in [0, 16777217)", e.Message);
        Assert.Throws<ArgumentException>("target", () => SoftmaxCrossEntropyLoss<float>.CheckLabels([0.5f], 3));
        Assert.Throws<ArgumentException>("target", () => SoftmaxCrossEntropyLoss<float>.CheckLabels([-1f], 3));
        Assert.Throws<ArgumentException>("target", () => SoftmaxCrossEntropyLoss<double>.CheckLabels([3.0], 3));
    }
}
