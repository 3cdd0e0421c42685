using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// Each fused update's vectorized driver against the same operator run one element at a time, on every length from
/// 0 to 300 and misaligned starts, with every sixth element's state around the smallest normal number (flushed or not,
/// and with ε = 0 kept). The kernels promise the same bits on every path, so equality is exact.
/// </summary>
public class OptimizerKernelTests
{
    private const int MaxLength = 300;

    /// <summary>Runs <paramref name="vectorized"/> and <paramref name="scalar"/> on identical random data and compares every buffer exactly.</summary>
    private static void CompareWithScalar<T>(int states,
        SpanAction5<T> vectorized, SpanAction5<T> scalar, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(42);
        T R(double scale) => T.CreateChecked((random.NextDouble() * 2 - 1) * scale);
        T tiny = T.CreateTruncating(typeof(T) == typeof(float) ? 1.17549435e-38 : 2.2250738585072014e-308);
        for (int length = 0; length <= MaxLength; length++)
        {
            int offset = length % 5; // starts 0..4 elements past the array's start: misaligned for every width
            int total = offset + length;
            T[][] a = [.. Enumerable.Range(0, 5).Select(_ => new T[total])];
            for (int i = 0; i < total; i++)
            {
                a[0][i] = R(1); a[1][i] = R(0.5);
                a[2][i] = R(0.1); a[3][i] = T.Abs(R(0.1)) + T.Abs(a[2][i]) * a[2][i]; a[4][i] = T.Abs(R(0.2));
                if (i % 6 == 5)
                {
                    // A unit without gradient whose state straddles the smallest normal number: some lanes are flushed.
                    a[1][i] = T.Zero;
                    a[2][i] = R(4) * tiny; a[3][i] = T.Abs(R(4)) * tiny; a[4][i] = T.Abs(R(4)) * tiny;
                }
            }
            T[][] b = [.. a.Select(x => (T[])x.Clone())];
            vectorized(a[0].AsSpan(offset), a[1].AsSpan(offset), a[2].AsSpan(offset, states > 0 ? length : 0),
                a[3].AsSpan(offset, states > 1 ? length : 0), a[4].AsSpan(offset, states > 2 ? length : 0));
            scalar(b[0].AsSpan(offset), b[1].AsSpan(offset), b[2].AsSpan(offset, states > 0 ? length : 0),
                b[3].AsSpan(offset, states > 1 ? length : 0), b[4].AsSpan(offset, states > 2 ? length : 0));
            for (int k = 0; k < 5; k++)
            {
                for (int i = 0; i < total; i++)
                {
                    // Equals holds for +0 and -0: a flushed lane must also keep the scalar reference's sign.
                    if (!a[k][i].Equals(b[k][i]) || !T.IsNaN(a[k][i]) && T.IsNegative(a[k][i]) != T.IsNegative(b[k][i]))
                        Assert.Fail($"{what} ({typeof(T).Name}, {Isa.Path}): length {length}, buffer {k}, element {i - offset}: {a[k][i]} vs scalar {b[k][i]}.");
                }
            }
        }
    }

    private delegate void SpanAction5<T>(Span<T> p, Span<T> g, Span<T> s0, Span<T> s1, Span<T> s2);

    public static TheoryData<double, double, bool, double, bool, bool> SgdCases => new()
    {
        { 0.0, 0.0, false, 0.0, false, false },
        { 0.9, 0.1, false, 0.01, false, false },
        { 0.9, 0.0, true, 0.01, false, true },
        { 0.9, 0.0, true, 0.01, true, false },
    };

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void SgdVectorPathsMatchScalar(double momentum, double dampening, bool nesterov, double weightDecay, bool decoupled, bool first)
    {
        Check<float>();
        Check<double>();

        void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var op = new OptimizerKernels.SgdOperator<T>(0.1, momentum, dampening, nesterov, weightDecay, decoupled, first);
            CompareWithScalar<T>(op.StateCount,
                (p, g, s0, _, _) => OptimizerKernels.Sgd(p, g, s0, 0.1, momentum, dampening, nesterov, weightDecay, decoupled, first),
                (p, g, s0, s1, s2) => UpdateDriver.RunScalar(op, p, g, s0, s1, s2), "SGD");
        }
    }

    [Theory]
    [InlineData(0.0, 0.0, false, 1e-8)]
    [InlineData(0.01, 0.9, false, 1e-8)]
    [InlineData(0.01, 0.0, true, 1e-8)]
    [InlineData(0.01, 0.9, true, 1e-8)]
    [InlineData(0.01, 0.9, true, 0.0)] // ε = 0: nothing flushed
    public void RmsPropVectorPathsMatchScalar(double weightDecay, double momentum, bool centered, double epsilon)
    {
        Check<float>();
        Check<double>();

        void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var op = new OptimizerKernels.RmsPropOperator<T>(0.01, 0.9, epsilon, weightDecay, momentum, centered);
            // Buffer order of the operator: v, then b (momentum), then ḡ (centered).
            CompareWithScalar<T>(op.StateCount,
                (p, g, v, s1, s2) => OptimizerKernels.RmsProp(p, g, v, momentum > 0 ? s2 : s1, momentum > 0 ? s1 : default, 0.01, 0.9, epsilon, weightDecay, momentum, centered),
                (p, g, s0, s1, s2) => UpdateDriver.RunScalar(op, p, g, s0, s1, s2), "RMSprop");
        }
    }

    [Theory]
    [InlineData(0.0, false, false, 1e-8)]
    [InlineData(0.05, false, false, 1e-8)]
    [InlineData(0.05, true, true, 1e-8)]
    [InlineData(0.05, false, true, 1e-8)]
    [InlineData(0.05, true, true, 0.0)] // ε = 0: nothing flushed
    public void AdamVectorPathsMatchScalar(double weightDecay, bool decoupled, bool amsGrad, double epsilon)
    {
        Check<float>();
        Check<double>();

        void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var op = new OptimizerKernels.AdamOperator<T>(7, 0.01, 0.9, 0.999, epsilon, weightDecay, decoupled, amsGrad);
            CompareWithScalar<T>(op.StateCount,
                (p, g, m, v, vMax) => OptimizerKernels.Adam(p, g, m, v, vMax, 7, 0.01, 0.9, 0.999, epsilon, weightDecay, decoupled),
                (p, g, s0, s1, s2) => UpdateDriver.RunScalar(op, p, g, s0, s1, s2), "Adam");
        }
    }

    [Fact]
    public void KernelsRejectMismatchedAndOverlappingBuffers()
    {
        double[] p = new double[8], g = new double[8], m = new double[8], v = new double[8];
        Assert.Throws<ArgumentException>("gradients", () => OptimizerKernels.Adam<double>(p, g.AsSpan(1), m, v, default, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
        Assert.Throws<ArgumentException>("secondMoment", () => OptimizerKernels.Adam<double>(p, g, m, v.AsSpan(1), default, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
        Assert.Throws<ArgumentException>("firstMoment", () => OptimizerKernels.Adam<double>(p, g, p, v, default, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
        Assert.Throws<ArgumentException>("gradients", () => OptimizerKernels.Sgd<double>(p.AsSpan(0, 4), p.AsSpan(2, 4), default, 0.1, 0, 0, false, 0, false, false));
        Assert.Throws<ArgumentException>("momentumBuffer", () => OptimizerKernels.Sgd<double>(p, g, m.AsSpan(0, 7), 0.1, 0.9, 0, false, 0, false, false));
        Assert.Throws<ArgumentException>("gradientAverage", () => OptimizerKernels.RmsProp<double>(p, g, v, m.AsSpan(0, 3), default, 0.01, 0.99, 1e-8, 0, 0, true));
        // Unused buffers are not checked: no momentum means no momentum buffer.
        OptimizerKernels.Sgd<double>(p, g, default, 0.1, 0, 0, false, 0, false, false);
    }

    [Fact]
    public void SgdKernelRefusesNesterovWithoutMomentumOrWithDampeningAsTheOptimizerDoes()
    {
        // torch.optim.SGD refuses both ("Nesterov momentum requires a momentum and zero dampening"), and so does Sgd<T>;
        // the kernel ran them (plain SGD, or a dampened Nesterov step) without a word.
        double[] p = [1, 2, 3], g = [0.5, 0.5, 0.5], b = new double[3];
        var without = Assert.Throws<ArgumentException>("nesterov", () => OptimizerKernels.Sgd<double>(p, g, b, 0.1, 0, 0, true, 0, false, false));
        var dampened = Assert.Throws<ArgumentException>("nesterov", () => OptimizerKernels.Sgd<double>(p, g, b, 0.1, 0.9, 0.1, true, 0, false, false));
        Assert.Equal([1.0, 2, 3], p);
        Assert.Equal(Assert.Throws<ArgumentException>("nesterov", () => new FastNN.Optimizers.Sgd<double>(3, 0.1, 0, 0, nesterov: true)).Message, without.Message);
        Assert.Equal(Assert.Throws<ArgumentException>("nesterov", () => new FastNN.Optimizers.Sgd<double>(3, 0.1, 0.9, 0.1, nesterov: true)).Message, dampened.Message);
    }

    [Fact]
    public void KernelsRejectBadHyperParametersByName()
    {
        double[] p = new double[4], g = new double[4], m = new double[4], v = new double[4];
        Assert.Throws<ArgumentOutOfRangeException>("beta2", () => OptimizerKernels.Adam<double>(p, g, m, v, default, 1, 1e-3, 0.9, 1.0, 1e-8, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>("step", () => OptimizerKernels.Adam<double>(p, g, m, v, default, 0, 1e-3, 0.9, 0.999, 1e-8, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => OptimizerKernels.Sgd<double>(p, g, default, double.NaN, 0, 0, false, 0, false, false));
        Assert.Throws<ArgumentOutOfRangeException>("alpha", () => OptimizerKernels.RmsProp<double>(p, g, v, default, default, 0.01, -0.1, 1e-8, 0, 0, false));
    }
}
