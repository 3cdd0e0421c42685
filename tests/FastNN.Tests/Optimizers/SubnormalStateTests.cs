using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// The optimizers' rule for subnormal state, as their docs state it: a new state value of magnitude below the smallest
/// normal number is stored (and used) as a zero of its sign, and a squared-gradient term c·g² is taken as zero where
/// |g| &lt; √(2⁻¹²⁶ / c) (2⁻¹⁰²² in double). Each expected value is computed here, one element at a time in the
/// kernel's element type, from the documented equations and that rule.
/// </summary>
public class SubnormalStateTests
{
    private const int Length = 37; // two 512-bit float vectors, one 128-bit vector and a scalar tail

    private static T SmallestNormal<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? T.CreateTruncating(1.17549435082228750797e-38) : T.CreateTruncating(2.22507385850720138309e-308);

    /// <summary>The rule: a subnormal becomes a zero of its sign.</summary>
    private static T Flush<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsSubnormal(x) ? T.CopySign(T.Zero, x) : x;

    /// <summary>State values from a quarter to four times the smallest normal, both signs, zeros and ordinary values.</summary>
    private static T[] StraddlingValues<T>(bool positive) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(3);
        T tiny = SmallestNormal<T>();
        var x = new T[Length];
        for (int i = 0; i < Length; i++)
        {
            T magnitude = i % 9 == 8 ? T.CreateTruncating(random.NextDouble()) : tiny * T.CreateTruncating(0.25 + 3.75 * random.NextDouble());
            x[i] = i % 11 == 10 ? T.Zero : positive || i % 2 == 0 ? magnitude : -magnitude;
        }
        return x;
    }

    private static void AssertBitwiseEqual<T>(T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            // Equals tells +0 from -0 only through the sign, which the rule keeps: compare the sign bit as well.
            if (!expected[i].Equals(actual[i]) || T.IsNegative(expected[i]) != T.IsNegative(actual[i]))
                Assert.Fail($"{what} ({typeof(T).Name}, {Isa.Path}), element {i}: {actual[i]:R}, expected {expected[i]:R}.");
            Assert.False(T.IsSubnormal(actual[i]), $"{what} element {i} is subnormal: {actual[i]:R}.");
        }
    }

    [Fact]
    public void AdamMomentsThatDecayBelowTheSmallestNormalAreStoredAsZero()
    {
        Check<float>(amsGrad: false);
        Check<float>(amsGrad: true);
        Check<double>(amsGrad: false);
        Check<double>(amsGrad: true);

        static void Check<T>(bool amsGrad) where T : unmanaged, IFloatingPointIeee754<T>
        {
            const double beta1 = 0.9, beta2 = 0.5;
            T[] p = [.. Enumerable.Range(0, Length).Select(i => T.CreateTruncating(0.5 + i))], g = new T[Length];
            T[] m = StraddlingValues<T>(positive: false), v = StraddlingValues<T>(positive: true);
            T[] vMax = amsGrad ? StraddlingValues<T>(positive: true).Select(x => x / T.CreateTruncating(3)).ToArray() : [];
            T[] expectedM = [.. m.Select(x => Flush(T.CreateTruncating(beta1) * x + T.CreateTruncating(1 - beta1) * T.Zero))];
            T[] expectedV = [.. v.Select(x => Flush(T.CreateTruncating(beta2) * x + T.CreateTruncating(1 - beta2) * T.Zero * T.Zero))];
            T[] expectedMax = amsGrad ? [.. vMax.Select((x, i) => Flush(T.Max(x, expectedV[i])))] : [];

            OptimizerKernels.Adam<T>(p, g, m, v, vMax, 3, 1e-3, beta1, beta2, 1e-8, 0.01, decoupledWeightDecay: true);

            AssertBitwiseEqual(expectedM, m, "m");
            AssertBitwiseEqual(expectedV, v, "v");
            AssertBitwiseEqual(expectedMax, vMax, "v̂");
        }
    }

    [Fact]
    public void RmsPropAndSgdStateThatDecaysBelowTheSmallestNormalIsStoredAsZero()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            const double alpha = 0.5, momentum = 0.75;
            T[] g = new T[Length], p = [.. Enumerable.Range(0, Length).Select(i => T.CreateTruncating(1.0 + i))];
            T[] v = StraddlingValues<T>(positive: true), gAvg = StraddlingValues<T>(positive: false), b = StraddlingValues<T>(positive: false);
            // ḡ is kept below √v, as a real ḡ is, so √(v − ḡ²) stays real.
            for (int i = 0; i < Length; i++)
                v[i] += T.CreateTruncating(4.0) * T.Abs(gAvg[i]);
            T a = T.CreateTruncating(alpha), oneMinusA = T.CreateTruncating(1 - alpha);
            T[] expectedV = [.. v.Select(x => Flush(a * x + oneMinusA * T.Zero * T.Zero))];
            T[] expectedGAvg = [.. gAvg.Select(x => Flush(a * x + oneMinusA * T.Zero))];
            // g = 0, so b ← μ·b + g/a adds a zero.
            T[] expectedB = [.. b.Select(x => Flush(T.CreateTruncating(momentum) * x + T.Zero))];

            OptimizerKernels.RmsProp<T>(p, g, v, gAvg, b, 1e-2, alpha, 1e-8, 0, momentum, centered: true);
            AssertBitwiseEqual(expectedV, v, "RMSprop v");
            AssertBitwiseEqual(expectedGAvg, gAvg, "RMSprop ḡ");
            AssertBitwiseEqual(expectedB, b, "RMSprop b");

            T[] sgdBuffer = StraddlingValues<T>(positive: false);
            T[] expectedSgd = [.. sgdBuffer.Select(x => Flush(T.CreateTruncating(momentum) * x + T.CreateTruncating(1 - 0.0) * T.Zero))];
            OptimizerKernels.Sgd<T>(p, g, sgdBuffer, 0.1, momentum, 0, false, 0, false, firstStep: false);
            AssertBitwiseEqual(expectedSgd, sgdBuffer, "SGD momentum buffer");

            // On the first step the buffer is the gradient itself: a subnormal gradient gives a zero buffer.
            T[] subnormalGradient = [.. StraddlingValues<T>(positive: false).Select(x => x / T.CreateTruncating(8))];
            OptimizerKernels.Sgd<T>(p, subnormalGradient, sgdBuffer, 0.1, momentum, 0, false, 0, false, firstStep: true);
            AssertBitwiseEqual([.. subnormalGradient.Select(Flush)], sgdBuffer, "SGD first-step buffer");
        }
    }

    [Fact]
    public void SquaredTermsOfVanishingGradientsAddNothing()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            const double beta2 = 0.999;
            // The documented threshold, √(smallest normal / (1 − β2)); gradients from 1/8 to 8 times it, and ordinary ones.
            double floor = Math.Sqrt(double.CreateTruncating(SmallestNormal<T>()) / (1 - beta2));
            var random = new Random(9);
            T[] g = [.. Enumerable.Range(0, Length).Select(i =>
                T.CreateTruncating((i % 2 == 0 ? 1 : -1) * (i % 9 == 8 ? random.NextDouble() : floor * Math.Pow(2, 6 * random.NextDouble() - 3))))];
            T[] p = new T[Length], m = new T[Length], v = new T[Length];
            T threshold = T.CreateTruncating(floor);
            T[] expectedV = [.. g.Select(x =>
            {
                T gs = T.Abs(x) < threshold ? T.Zero : x;
                return Flush(T.CreateTruncating(beta2) * T.Zero + T.CreateTruncating(1 - beta2) * gs * gs);
            })];

            OptimizerKernels.Adam<T>(p, g, m, v, default, 1, 1e-3, 0.9, beta2, 1e-8, 0, decoupledWeightDecay: false);

            AssertBitwiseEqual(expectedV, v, "v");
            Assert.Contains(v, x => x == T.Zero);
            Assert.Contains(v, x => x != T.Zero && x < T.CreateTruncating(1e-30));
        }
    }

    /// <summary>
    /// A thousand AdamW steps in float where a third of the units stop receiving gradients after ten steps: their first
    /// moments reach zero instead of sticking at a few subnormal units in the last place, and every other value follows
    /// the plain formula bit for bit (no state value of theirs is ever below the smallest normal).
    /// </summary>
    [Fact]
    public void DeadUnitsReachZeroMomentsAndLiveOnesFollowThePlainFormula()
    {
        const int n = 45, steps = 1000;
        const double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01;
        var random = new Random(21);
        float[] p = [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] m = new float[n], v = new float[n], g = new float[n];
        float[] rp = (float[])p.Clone(), rm = new float[n], rv = new float[n];
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < n; i++)
                g[i] = i % 3 == 0 && t > 10 ? 0f : (float)((random.NextDouble() - 0.5) * 1e-2);
            OptimizerKernels.Adam<float>(p, g, m, v, default, t, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true);

            float shrink = (float)(1 - lr * weightDecay), stepSize = (float)(lr / (1 - Math.Pow(beta1, t)));
            float correction2 = (float)Math.Sqrt(1 - Math.Pow(beta2, t));
            for (int i = 0; i < n; i++)
            {
                rp[i] *= shrink;
                rm[i] = Flush((float)beta1 * rm[i] + (float)(1 - beta1) * g[i]);
                rv[i] = (float)beta2 * rv[i] + (float)(1 - beta2) * g[i] * g[i];
                rp[i] -= stepSize * (rm[i] / (MathF.Sqrt(rv[i]) / correction2 + (float)eps));
            }
            Assert.DoesNotContain(m, float.IsSubnormal);
        }
        AssertBitwiseEqual(rm, m, "m");
        AssertBitwiseEqual(rv, v, "v");
        AssertBitwiseEqual(rp, p, "θ");
        for (int i = 0; i < n; i += 3)
            Assert.Equal(0f, m[i]);
    }

    /// <summary>
    /// Centered RMSprop on gradients whose squares the rule drops (|g| below √(N / (1 − α))) while ḡ still averages them:
    /// v stays 0 and ḡ² is positive, so v − ḡ² is negative, where PyTorch's unflushed v − ḡ² is not. The step must stay
    /// finite and match the plain double formula (PyTorch 1.13's RMSprop(centered=True) gives −3.0000e-10 after these
    /// 300 float steps of g = 1e-18, −3.0000e-11 for 1e-19, and −3.0e-146 for 1e-154 in double).
    /// </summary>
    [Theory]
    [InlineData(1e-18, false)]
    [InlineData(1e-19, false)]
    [InlineData(1e-154, true)]
    public void CenteredRmsPropOnGradientsWhoseSquaresAreDroppedStaysFinite(double gradient, bool inDouble)
    {
        const int n = 19, steps = 300;
        const double lr = 0.01, alpha = 0.99, eps = 1e-8;
        double expected = 0, v = 0, gAvg = 0;
        for (int t = 0; t < steps; t++)
        {
            v = alpha * v + (1 - alpha) * gradient * gradient;
            gAvg = alpha * gAvg + (1 - alpha) * gradient;
            expected -= lr * gradient / (Math.Sqrt(v - gAvg * gAvg) + eps);
        }
        double[] actual = inDouble ? Run<double>() : Run<float>();
        // θ sums 300 steps in T: a relative error up to 300 units of roundoff (2⁻²⁴ in float, 2⁻⁵³ in double).
        double tolerance = steps * (inDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24)) * Math.Abs(expected);
        foreach (double p in actual)
            Assert.True(Math.Abs(p - expected) <= tolerance, $"θ = {p:R}, expected {expected:R} (g = {gradient}, {Isa.Path}).");

        double[] Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var optimizer = new FastNN.Optimizers.RmsProp<T>(n, lr, alpha, eps, centered: true);
            T[] p = new T[n], g = Enumerable.Repeat(T.CreateTruncating(gradient), n).ToArray();
            for (int t = 0; t < steps; t++)
                optimizer.Step(p, g);
            return [.. p.Select(double.CreateTruncating)];
        }
    }

    /// <summary>
    /// With ε = 0 (or ε = 1e-30) the denominator is √v alone, so the rule would turn the step of gradients whose squares
    /// it drops (here |g| from 2e-19 to 1e-18 in float, below √(N / (1 − β2)) = 3.4e-18 for Adam's β2 = 0.999 and
    /// 1.1e-18 for RMSprop's α = 0.99) into m / 0 = ±∞ (m / 1e-30 = 1e10·m̂), where PyTorch 1.13's unflushed, subnormal v
    /// gives Adam's ordinary step of about γ (Adam(lr=0.01, eps=0 or 1e-30) on g = 1e-19: θ 1 → 0.97 after 3 steps).
    /// The rule applies only where it changes the denominator by at most a unit in its last place: here nothing is
    /// flushed, and θ follows the plain double formula.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-30)]
    public void WhereEpsilonIsBelowTheDroppedSquaresTheirStepsFollowThePlainFormula(double epsilon)
    {
        const int n = 37, steps = 5;
        var random = new Random(17);
        double[] initial = TestData.Uniform(random, n);
        double[][] grads = [.. Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, n)
            .Select(i => (i % 2 == 0 ? 1 : -1) * (0.2 + 0.8 * random.NextDouble()) * 1e-18).ToArray())];
        Check(new FastNN.Optimizers.Adam<float>(n, 0.01, epsilon: epsilon),
            p => ReferenceOptimizers.Adam(p, grads, new(0.01, Eps: epsilon)), "Adam");
        Check(new FastNN.Optimizers.AdamW<float>(n, 0.01, epsilon: epsilon, weightDecay: 0.1, amsGrad: true),
            p => ReferenceOptimizers.Adam(p, grads, new(0.01, Eps: epsilon, WeightDecay: 0.1, Decoupled: true, AmsGrad: true)), "AdamW AMSGrad");
        Check(new FastNN.Optimizers.RmsProp<float>(n, 1e-3, epsilon: epsilon),
            p => ReferenceOptimizers.RmsProp(p, grads, new(1e-3, Eps: epsilon)), "RMSprop");
        Check(new FastNN.Optimizers.RmsProp<float>(n, 1e-3, epsilon: epsilon, momentum: 0.5, centered: true),
            p => ReferenceOptimizers.RmsProp(p, grads, new(1e-3, Eps: epsilon, Momentum: 0.5, Centered: true)), "RMSprop centered, momentum");

        void Check(FastNN.Optimizers.Optimizer<float> optimizer, Action<double[]> reference, string what)
        {
            double[] expected = (double[])initial.Clone();
            reference(expected);
            float[] p = [.. initial.Select(x => (float)x)];
            foreach (double[] g in grads)
                optimizer.Step(p, [.. g.Select(x => (float)x)]);
            // Float roundoff, and a subnormal v's fewer bits (2e-5 relative at 4e-41): far below a step of 1e-3 to 1e-2.
            TestData.AssertClose(expected, [.. p.Select(x => (double)x)], 1e-5, 1e-5, $"{what} ({Isa.Path})");
        }
    }

    /// <summary>Every width's flush against its definition, lane by lane, on the values either side of the boundary.</summary>
    [Fact]
    public void FlushSubnormalsKeepsOnlyTheSignOfSubnormalsOnEveryWidth()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T tiny = SmallestNormal<T>();
            T[] specials = [T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon, tiny, -tiny, T.BitDecrement(tiny), -T.BitDecrement(tiny),
                T.BitIncrement(tiny), tiny / T.CreateTruncating(3), T.One, -T.CreateTruncating(1e-30), T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.CreateTruncating(1e30)];
            T[] expected = [.. specials.Select(Flush)];
            Compare(expected, specials.Select(ScalarWidth<T>.FlushSubnormals).ToArray(), "scalar");
            if (Width128<T>.IsAccelerated)
                Compare(expected, Lanes(specials, Vector128<T>.Count, x => { var r = new T[x.Length]; Width128<T>.FlushSubnormals(Vector128.Create(x)).CopyTo(r); return r; }), "Vector128");
            if (Width256<T>.IsAccelerated)
                Compare(expected, Lanes(specials, Vector256<T>.Count, x => { var r = new T[x.Length]; Width256<T>.FlushSubnormals(Vector256.Create(x)).CopyTo(r); return r; }), "Vector256");
            if (Width512<T>.IsAccelerated)
                Compare(expected, Lanes(specials, Vector512<T>.Count, x => { var r = new T[x.Length]; Width512<T>.FlushSubnormals(Vector512.Create(x)).CopyTo(r); return r; }), "Vector512");
        }

        static T[] Lanes<T>(T[] values, int count, Func<T[], T[]> flush)
        {
            var result = new List<T>();
            for (int i = 0; i < values.Length; i += count)
                result.AddRange(flush([.. values.Skip(i).Take(count).Concat(Enumerable.Repeat(values[0], count)).Take(count)]).Take(Math.Min(count, values.Length - i)));
            return [.. result];
        }

        static void Compare<T>(T[] expected, T[] actual, string width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = T.IsNaN(expected[i]) ? T.IsNaN(actual[i]) : expected[i].Equals(actual[i]) && T.IsNegative(expected[i]) == T.IsNegative(actual[i]);
                Assert.True(same, $"{width} ({typeof(T).Name}) lane {i}: {actual[i]:R}, expected {expected[i]:R}.");
            }
        }
    }
}
