using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;
using Tolerance = FastNN.Tests.Elementwise.Tolerance;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// One Adam/AdamW step of the kernel, in float and in double, from a random state at a random step count, against the
/// update written out in double on the same rounded inputs, within bounds in ε counted from the kernel's roundings. The
/// reference and fixture tests run in double only; in float only AdamW without AMSGrad at λ = 0.01 was checked against a
/// formula (SubnormalStateTests, a float transcription of the kernel's own steps), so coupled decay, AMSGrad, other
/// β2 and step counts had no float reference.
/// </summary>
public class AdamPrecisionTests
{
    [Property(MaxTest = 30)]
    public void OneStepMatchesTheUpdateWrittenOutInDouble(int seed)
    {
        Check<float>(seed);
        Check<double>(seed);
    }

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int n = Elementwise.TestData.Size(rng, 300);
        long t = 1 + rng.Next(rng.Next(2) == 0 ? 10 : 5000);
        double lr = 1e-3 * (1 + rng.Next(20)), beta1 = 0.9, beta2 = rng.Next(2) == 0 ? 0.999 : 0.95, eps = 1e-8;
        double wd = rng.Next(3) == 0 ? 0 : 0.01 * (1 + rng.Next(10));
        bool decoupled = rng.Next(2) == 0, amsGrad = rng.Next(2) == 0;
        T R(double scale) => T.CreateTruncating((2 * rng.NextDouble() - 1) * scale);
        // Parameters of the update's size half the time: next to |θ| = 1, θ's own rounding (ε·|θ|) hides any error in
        // an update of 1e-3 below about 1e-4 relative.
        double scale = rng.Next(2) == 0 ? 1 : 1e-3;
        T[] p = [.. Enumerable.Range(0, n).Select(_ => R(scale))], g = [.. Enumerable.Range(0, n).Select(_ => R(1))];
        T[] m = [.. Enumerable.Range(0, n).Select(_ => R(0.3))];
        T[] v = [.. Enumerable.Range(0, n).Select(_ => T.Abs(R(0.5)))];
        T[] vMax = [.. v.Select(x => x + T.Abs(R(0.1)))];
        double D(T x) => double.CreateTruncating(x);
        double[] p0 = [.. p.Select(D)], g0 = [.. g.Select(D)], m0 = [.. m.Select(D)], v0 = [.. v.Select(D)], vMax0 = [.. vMax.Select(D)];

        OptimizerKernels.Adam<T>(p, g, m, v, amsGrad ? vMax : default, t, lr, beta1, beta2, eps, wd, decoupled);

        double step = lr / (1 - Math.Pow(beta1, t)), correction = Math.Sqrt(1 - Math.Pow(beta2, t));
        for (int i = 0; i < n; i++)
        {
            string at = $"Adam<{typeof(T).Name}> t {t}, lr {lr}, β2 {beta2}, λ {wd}, decoupled {decoupled}, AMSGrad {amsGrad}, element {i} of {n}";
            double theta = decoupled ? p0[i] * (1 - lr * wd) : p0[i];
            double grad = decoupled ? g0[i] : g0[i] + wd * p0[i], gradSize = Math.Abs(g0[i]) + (decoupled ? 0 : wd * Math.Abs(p0[i]));
            // m and v: a handful of roundings each (constants, products, sums), relative to the sizes of their terms.
            double mNew = beta1 * m0[i] + (1 - beta1) * grad, mSize = beta1 * Math.Abs(m0[i]) + (1 - beta1) * gradSize;
            double vNew = beta2 * v0[i] + (1 - beta2) * grad * grad, vSize = beta2 * v0[i] + (1 - beta2) * gradSize * gradSize;
            Tolerance.AssertClose(mNew, m[i], 3, at + ": m", mSize);
            Tolerance.AssertClose(vNew, v[i], 4, at + ": v", vSize);
            double s = amsGrad ? Math.Max(vMax0[i], vNew) : vNew;
            if (amsGrad)
                Tolerance.AssertClose(s, vMax[i], 4, at + ": max v", Math.Max(vMax0[i], vSize));
            double d = Math.Sqrt(s) / correction + eps;
            double expected = theta - step * mNew / d;
            // θ rounded once or twice; the update m/d within about 8 ε of (|m| + the size of m's terms)/d.
            Tolerance.AssertClose(expected, p[i], 8, at + ": θ", Math.Abs(theta) + Math.Abs(expected) + step * (mSize + Math.Abs(mNew)) / d);
        }
    }
}
