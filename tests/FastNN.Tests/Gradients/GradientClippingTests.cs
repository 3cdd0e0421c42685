using System.Numerics;
using FastNN.Gradients;
using FastNN.Models;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastNN.Tests.Gradients;

/// <summary>Clipping by global norm and by value (clip_grad_norm_, clip_grad_value_) and the non-finite gradient guard.</summary>
public class GradientClippingTests
{
    [Fact]
    public void ClipByGlobalNormReturnsTheNormBeforeAndScalesByMaxOverNormPlusEpsilon()
    {
        double[] g = [3, -4, 0, 12]; // ‖g‖ = 13
        double[] original = (double[])g.Clone();
        double norm = GradientClipping.ClipByGlobalNorm<double>(g, 6.5);
        Assert.Equal(13.0, norm);
        double c = 6.5 / (13 + 1e-6);
        for (int i = 0; i < g.Length; i++) Assert.Equal(original[i] * c, g[i], 15);
        Assert.Equal(6.5, Math.Sqrt(g.Sum(x => x * x)), 5);
    }

    [Fact]
    public void ClipByGlobalNormLeavesSmallGradientsAlone()
    {
        float[] g = [0.3f, -0.4f]; // ‖g‖ = 0.5
        float[] original = (float[])g.Clone();
        double norm = GradientClipping.ClipByGlobalNorm<float>(g, 1.0);
        Assert.Equal(Math.Sqrt(0.3f * (double)0.3f + 0.4f * (double)0.4f), norm, 15);
        Assert.Equal(original, g);
        // At max_norm = ‖g‖ the coefficient is just below 1 (the 1e-6), so PyTorch scales: so do we.
        GradientClipping.ClipByGlobalNorm<float>(g, norm);
        Assert.True(g[0] < original[0] && g[0] > original[0] * 0.99999f);
    }

    [Fact]
    public void GlobalNormMatchesADoubleLoopOnALongBuffer()
    {
        var random = new Random(1);
        float[] g = [.. Enumerable.Range(0, 10_007).Select(_ => (float)(random.NextDouble() - 0.5))];
        double expected = 0;
        foreach (float x in g) expected += (double)x * x;
        // Both sums are in double; their orders differ, so they agree to the summation bound n·ε ≈ 1e-12 relative.
        Assert.Equal(Math.Sqrt(expected), GradientClipping.GlobalNorm<float>(g), Math.Sqrt(expected) * 1e-12);
        double[] d = [.. g.Select(x => (double)x * 1e150)]; // squares beyond float and near double's range
        Assert.Equal(Math.Sqrt(expected) * 1e150, GradientClipping.GlobalNorm<double>(d), Math.Sqrt(expected) * 1e150 * 1e-12);
        double withoutFirst = 0; // a misaligned start, and a length that is not a multiple of any vector width
        for (int i = 1; i < g.Length; i++) withoutFirst += (double)g[i] * g[i];
        Assert.Equal(Math.Sqrt(withoutFirst), GradientClipping.GlobalNorm<float>(g.AsSpan(1)), Math.Sqrt(withoutFirst) * 1e-12);
    }

    /// <summary>
    /// A finite double gradient never has an infinite or zero norm: squares past 1e154 overflowed (‖[3, −4, 0, 12]·1e200‖
    /// read +∞ and clipping zeroed every gradient instead of scaling it to max_norm) and squares below 1e-154 underflowed
    /// (‖[3, −4]·1e-170‖ read 0), where the documented √(Σ g²) is finite and non-zero, as float gradients already get.
    /// </summary>
    /// <summary>
    /// ‖g‖ against a reference that never squares: hypot folded over the buffer (each step exact to an ulp), for buffers
    /// of one binade's spread anywhere from the subnormals to 1e308, in double and in float, with now and then a NaN or
    /// an infinity: NaN when a gradient is NaN, else within a few ulps of the reference, whichever path (one pass or the
    /// scaled second pass) the sum took.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property TheGlobalNormIsTheHypotOfTheGradientsAcrossTheDoubleRange(int seed)
    {
        var random = new Random(seed);
        var g = new double[random.Next(0, 40)];
        int top = random.Next(-1074, 1024);
        for (int i = 0; i < g.Length; i++)
            g[i] = Math.ScaleB(random.NextDouble() * (random.Next(2) == 0 ? 1 : -1), Math.Clamp(top - random.Next(0, 60), -1074, 1023));
        if (g.Length > 0 && random.Next(8) == 0)
            g[random.Next(g.Length)] = random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
        float[] f = [.. g.Select(x => (float)x)];
        return (Agrees(GradientClipping.GlobalNorm<double>(g), g) && Agrees(GradientClipping.GlobalNorm<float>(f), [.. f.Select(x => (double)x)]))
            .Label($"top 2^{top}, {g.Length} values");

        static bool Agrees(double norm, double[] x)
        {
            if (x.Any(double.IsNaN))
                return double.IsNaN(norm);
            double reference = x.Aggregate(0.0, double.Hypot);
            // Relative to the reference, or a few subnormal ulps where the norm itself is subnormal.
            return norm == reference || Math.Abs(norm - reference) <= 1e-14 * reference + 4 * double.Epsilon;
        }
    }

    [Fact]
    public void TheNormOfHugeOrTinyDoubleGradientsIsTheirScaledNorm()
    {
        foreach (double scale in new[] { 1e200, 1e300, 1e-170, 1e-300 })
        {
            double[] g = [3 * scale, -4 * scale, 0, 12 * scale];
            double expected = 13 * scale;
            Assert.Equal(expected, GradientClipping.GlobalNorm<double>(g), expected * 1e-15);
            // A buffer longer than any vector, so the vector loop's sums overflow too.
            double[] longer = [.. Enumerable.Repeat(g, 9).SelectMany(x => x)];
            Assert.Equal(3 * expected, GradientClipping.GlobalNorm<double>(longer), 3 * expected * 1e-15);
        }
        double[] huge = [3e200, -4e200, 0, 12e200];
        GradientClipping.ClipByGlobalNorm<double>(huge, 6.5);
        Assert.Equal([1.5, -2, 0, 6], huge.Select(x => Math.Round(x, 12)));
        // Finite gradients whose norm is past double's range (√2·1.8e308): +∞, as documented, and clipping zeroes them.
        double[] past = [double.MaxValue, -double.MaxValue];
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByGlobalNorm<double>(past, 1));
        Assert.Equal([0, -0.0], past);
    }

    /// <summary>
    /// Huge gradients clipped to a small max_norm: c = max_norm / (‖g‖ + 1e-6) lies below T's normal range (float
    /// gradients of 1e37 to 1e-7: c ≈ 7e-45, double ones of 1e300 to 1e-15: c ≈ 7e-316), where c as a subnormal T kept
    /// a few bits and the clipped norm came out 0.9 % short in float (9.909e-8 for 1e-7). Reference: g / (‖g‖ + 1e-6)
    /// · max_norm in double, which never leaves the normal range; each side rounds at most twice, so they agree within 2ε
    /// (and a subnormal ulp). A tiny norm with a tinier max_norm stays on the one-step path (scaling by 2^-e there, e
    /// negative, overflowed and gave NaN).
    /// </summary>
    [Fact]
    public void HugeGradientsClipToASmallMaxNormToTheirLastBits()
    {
        Check<float>([1e37f, -1e37f, 3e36f, 0, 1], 1e-7);
        Check<float>([float.MaxValue, -float.MaxValue, 1e38f, 5], 1e-3);
        Check<double>([1e300, -1e300, 2e299, 0, 1], 1e-15);
        Check<double>([double.MaxValue / 4, -3e307], 1e-12);
        Check<float>([1e-40f, -3e-41f], 1e-50);     // a tiny norm with a tinier max_norm: c below range, results 0
        Check<double>([1e-310, -3e-312], 1e-320);

        static void Check<T>(T[] g, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double[] original = [.. g.Select(double.CreateTruncating)];
            double norm = GradientClipping.ClipByGlobalNorm<T>(g, maxNorm);
            // ε of T, and its least subnormal for the results (of the gradients 0 to 5) that are subnormal
            double epsilon = typeof(T) == typeof(float) ? Math.ScaleB(1, -23) : Math.ScaleB(1, -52), least = double.CreateTruncating(T.Epsilon);
            for (int i = 0; i < g.Length; i++)
            {
                double expected = double.CreateTruncating(T.CreateTruncating(original[i] / (norm + 1e-6) * maxNorm)), actual = double.CreateTruncating(g[i]);
                Assert.True(Math.Abs(actual - expected) <= 2 * epsilon * Math.Abs(expected) + least,
                    $"{typeof(T).Name} g[{i}] = {original[i]:R} clipped to {actual:R}, expected {expected:R}");
            }
        }
    }

    /// <summary>As torch.nn.utils.clip_grad_norm_ (PyTorch 1.13: [1, inf, −2] → [0, nan, −0]; [1, nan, −2] → all nan).</summary>
    [Fact]
    public void AnInfiniteNormZeroesFiniteGradientsAndANaNNormMakesAllNaN()
    {
        double[] infinite = [1, double.PositiveInfinity, -2];
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByGlobalNorm<double>(infinite, 1));
        Assert.Equal([0, double.NaN, -0.0], infinite);
        Assert.True(double.IsNegative(infinite[2]));
        double[] nan = [1, double.NaN, -2];
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm<double>(nan, 1)));
        Assert.All(nan, x => Assert.True(double.IsNaN(x)));
    }

    [Fact]
    public void ClipByValueClampsAndKeepsNaN()
    {
        double[] g = [-5, -0.5, 0, 0.5, 5, double.NaN, double.NegativeInfinity];
        GradientClipping.ClipByValue<double>(g, 1);
        Assert.Equal([-1, -0.5, 0, 0.5, 1, double.NaN, -1], g);
    }

    [Fact]
    public void ClippingRejectsBadLimits()
    {
        Assert.Equal(-1.0, Assert.Throws<ArgumentOutOfRangeException>("maxNorm", () => GradientClipping.ClipByGlobalNorm<double>(new double[2], -1)).ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>("maxNorm", () => GradientClipping.ClipByGlobalNorm<double>(new double[2], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("clipValue", () => GradientClipping.ClipByValue<double>(new double[2], -0.1));
    }

    private static readonly ParameterTensor[] Tensors =
    [
        new("0.weight", 0, 6, [3, 2], ParameterKind.Weight, 0),
        new("0.bias", 6, 3, [3], ParameterKind.Bias, 0),
        new("2.weight", 9, 3, [1, 3], ParameterKind.Weight, 2),
    ];

    [Fact]
    public void GuardThrowsNamingTheTensorLayerAndElement()
    {
        var guard = new NonFiniteGradientGuard<float>(Tensors);
        float[] g = new float[12];
        Assert.True(guard.Check(g));
        g[10] = float.PositiveInfinity;
        var e = Assert.Throws<NonFiniteGradientException>(() => guard.Check(g));
        Assert.Equal("2.weight", e.TensorName);
        Assert.Equal(2, e.LayerIndex);
        Assert.Equal(1, e.Index);
        Assert.Equal(double.PositiveInfinity, e.Value);
        Assert.Contains("'2.weight' (layer 2)", e.Message);
        g[7] = float.NaN;
        Assert.Equal("0.bias", Assert.Throws<NonFiniteGradientException>(() => guard.Check(g)).TensorName);
    }

    [Fact]
    public void GuardWithSkipPolicyCountsSkippedSteps()
    {
        var guard = new NonFiniteGradientGuard<double>(Tensors, NonFiniteGradientPolicy.SkipStep);
        double[] g = new double[12];
        Assert.True(guard.Check(g));
        g[3] = double.NaN;
        Assert.False(guard.Check(g));
        Assert.False(guard.Check(g));
        g[3] = 1;
        Assert.True(guard.Check(g));
        Assert.Equal(2, guard.SkippedSteps);
        Assert.Throws<ArgumentException>("gradients", () => guard.Check(new double[11]));
    }

    [Fact]
    public void GuardCheckAllocatesNothing()
    {
        var guard = new NonFiniteGradientGuard<float>(Tensors, NonFiniteGradientPolicy.SkipStep);
        float[] g = new float[12];
        guard.Check(g);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int i = 0; i < 100; i++) guard.Check(g);
        }));
    }

    /// <summary>
    /// A tensor ending past int.MaxValue is refused by the constructor, naming it: its end wrapped negative, the guard took
    /// a required length of 0, and Check then failed inside Span.Slice with the runtime's "start" out of range.
    /// </summary>
    [Fact]
    public void GuardRefusesATensorThatEndsPastTheLargestArray()
    {
        ParameterTensor[] table = [new("0.weight", int.MaxValue - 4, 10, [10], ParameterKind.Weight, 0)];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NonFiniteGradientGuard<float>(table));
        Assert.Equal("tensors", e.ParamName);
        Assert.Contains("0.weight", e.Message);
    }
}
