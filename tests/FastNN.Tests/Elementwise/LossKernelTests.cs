using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// The one-pass loss kernels against their formulas evaluated in double on the same inputs: every length from 1 to
/// past ten 512-bit vectors, from misaligned starts, into a separate gradient and in place over the prediction, with
/// logits out to ±60 (BCE's e^(−|p|) far below ε, where log(1 + e) must not round to 0) and Huber differences on both
/// sides of δ. The sums are in double: for float their roundings are far below float's ε, so the value's bound does not
/// grow with the length; for double the n additions count as n roundings (the order differs from the reference's).
/// </summary>
public class LossKernelTests
{
    [Fact]
    public void FloatKernelsMatchTheirFormulasAtEveryLength() => Check<float>();

    [Fact]
    public void DoubleKernelsMatchTheirFormulasAtEveryLength() => Check<double>();

    [Fact]
    public void BceOfAConfidentRightLogitKeepsItsTinyLoss()
    {
        // p = 30, t = 1: ℓ = log(1 + e^−30) ≈ 9.4e-14, which log(1 + e) in float or double would round to 0. For double the
        // n additions of the mean count as n roundings (the scalar path adds 64 equal terms one by one).
        foreach (int n in new[] { 1, 3, 64 })
        {
            Tolerance.AssertClose(Reference.Log1p(Math.Exp(-30)), LossKernels.BinaryCrossEntropyWithLogits<float>(
                Enumerable.Repeat(30f, n).ToArray(), Enumerable.Repeat(1f, n).ToArray(), new float[n]), 4, $"float n = {n}");
            Tolerance.AssertClose(Reference.Log1p(Math.Exp(-30)), LossKernels.BinaryCrossEntropyWithLogits<double>(
                Enumerable.Repeat(30.0, n).ToArray(), Enumerable.Repeat(1.0, n).ToArray(), new double[n]), 4 + n, $"double n = {n}");
        }
    }

    [Fact]
    public void BceOfAnInfiniteLogitIsItsInfiniteLimit()
    {
        // PyTorch 1.13: binary_cross_entropy_with_logits([inf, inf, inf, -inf, -inf, -inf], [0, .5, 1, 0, .5, 1], reduction='none')
        // gives [inf, inf, nan, nan, nan, nan]; the limits are ∞, ∞, 0, 0, ∞ and ∞. Here ∞ wherever the limit is ∞ (max(p, 0) − p·t was ∞ − ∞ = NaN
        // at +∞) and NaN (0·∞) where it is 0, at every length (the vector body, its overlapping last vector, the scalar loop).
        (float P, float T, float Loss)[] cases =
        [
            (float.PositiveInfinity, 0, float.PositiveInfinity), (float.PositiveInfinity, 0.5f, float.PositiveInfinity),
            (float.NegativeInfinity, 1, float.PositiveInfinity), (float.NegativeInfinity, 0.5f, float.PositiveInfinity),
            (float.PositiveInfinity, 1, float.NaN), (float.NegativeInfinity, 0, float.NaN),
        ];
        foreach ((float p, float t, float loss) in cases)
        {
            foreach (int n in new[] { 1, 3, 16, 17, 33 })
            {
                float[] ps = [.. Enumerable.Repeat(0.5f, n)], ts = [.. Enumerable.Repeat(0.5f, n)];
                ps[n - 1] = p;
                ts[n - 1] = t;
                Assert.Equal(loss, LossKernels.BinaryCrossEntropyWithLogits<float>(ps, ts, new float[n]));
                Assert.Equal(double.CreateTruncating(loss), LossKernels.BinaryCrossEntropyWithLogits<double>(
                    [.. ps.Select(v => (double)v)], [.. ts.Select(v => (double)v)], new double[n]));
            }
        }
    }

    [Fact]
    public void SpecialValuesFollowTheDocs()
    {
        // NaN in one element: the loss and that element's gradient are NaN, the others untouched (vector body, overlapping
        // last vector, scalar loop). A float MSE difference of 1e20 squares to +∞ in float, as PyTorch's float MSE.
        foreach (int n in new[] { 1, 3, 16, 17, 33 })
        {
            foreach (int at in new[] { 0, n - 1 })
            {
                float[] p = [.. Enumerable.Repeat(0.5f, n)], t = new float[n], g = new float[n];
                p[at] = float.NaN;
                Assert.True(float.IsNaN(LossKernels.Huber<float>(p, t, g, 1f)), $"huber n = {n}");
                Assert.True(float.IsNaN(g[at]) && g.Count(float.IsNaN) == 1, $"huber gradient n = {n}");
                Assert.True(float.IsNaN(LossKernels.MeanSquaredError<float>(p, t, g)), $"mse n = {n}");
                Assert.True(float.IsNaN(g[at]) && g.Count(float.IsNaN) == 1, $"mse gradient n = {n}");
                p[at] = 1e20f;
                Assert.Equal(float.PositiveInfinity, LossKernels.MeanSquaredError<float>(p, t, g));
                Assert.Equal(1e20f, LossKernels.Huber<float>(p, t, g, 1f) * n, 1e20f * 1e-6f);
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        float[] a = new float[8], b = new float[8], c = new float[7];
        Assert.Throws<ArgumentException>("target", () => LossKernels.MeanSquaredError<float>(a, c, b));
        Assert.Throws<ArgumentException>("gradient", () => LossKernels.MeanSquaredError<float>(a, b, c));
        Assert.Throws<ArgumentException>("gradient", () => LossKernels.Huber<float>(a, b, b, 1f));
        Assert.Throws<ArgumentException>("gradient", () => LossKernels.BinaryCrossEntropyWithLogits<float>(a.AsSpan(0, 7), b.AsSpan(0, 7), a.AsSpan(1, 7)));
        Assert.Throws<ArgumentException>("prediction", () => LossKernels.MeanSquaredError<float>([], [], []));
        Assert.Throws<ArgumentOutOfRangeException>("delta", () => LossKernels.Huber<float>(a, b, new float[8], 0f));
    }

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(7);
        for (int n = 1; n <= 10 * 16 + 17; n++)
        {
            int offset = n % 4;
            T[] pBuffer = new T[n + offset], t = new T[n], probabilities = new T[n];
            Span<T> p = pBuffer.AsSpan(offset, n);
            for (int i = 0; i < n; i++)
            {
                p[i] = T.CreateTruncating(rng.NextDouble() < 0.1 ? 120 * (rng.NextDouble() - 0.5) : 4 * (rng.NextDouble() - 0.5));
                t[i] = T.CreateTruncating(4 * (rng.NextDouble() - 0.5));
                probabilities[i] = T.CreateTruncating(rng.NextDouble());
            }
            foreach (bool inPlace in new[] { false, true })
            {
                string where = $"{typeof(T).Name} n = {n}{(inPlace ? " in place" : "")}";
                double summation = typeof(T) == typeof(double) ? n : 0;
                double[] pd = [.. p.ToArray().Select(Tolerance.D)];

                // MSE: d = p − t (one rounding), d² and d·(2/n) (one more each, and 2/n's own); Σ in double.
                T[] g = new T[n];
                T value = Run(p, pBuffer, offset, inPlace, g, (x, gradient) => LossKernels.MeanSquaredError<T>(x, t, gradient));
                double sum = 0, magnitude = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = pd[i] - Tolerance.D(t[i]);
                    sum += d * d;
                    Tolerance.AssertClose(2 * d / n, g[i], 3, $"mse {where} gradient[{i}]");
                }
                Tolerance.AssertClose(sum / n, value, 3 + summation, $"mse {where} value", sum / n);

                // BCE with logits: ℓ = max(x, 0) − x·y + log(1 + e^−|x|); ∂ = (σ(x) − y)/n.
                value = Run(p, pBuffer, offset, inPlace, g, (x, gradient) => LossKernels.BinaryCrossEntropyWithLogits<T>(x, probabilities, gradient));
                sum = magnitude = 0;
                for (int i = 0; i < n; i++)
                {
                    double x = pd[i], y = Tolerance.D(probabilities[i]);
                    double softplus = Reference.Log1pExp(-Math.Abs(x));
                    sum += Math.Max(x, 0) - x * y + softplus;
                    magnitude += Math.Max(x, 0) + Math.Abs(x * y) + softplus;
                    double sigmoid = Reference.Sigmoid(x);
                    Tolerance.AssertClose((sigmoid - y) / n, g[i], 4, $"bce {where} gradient[{i}]", (sigmoid + y) / n);
                }
                Tolerance.AssertClose(sum / n, value, 4 + summation, $"bce {where} value", magnitude / n);

                // Huber, δ = 0.75: ½d² or δ(|d| − ½δ); ∂ = clamp(d, −δ, δ)/n.
                const double Delta = 0.75;
                value = Run(p, pBuffer, offset, inPlace, g, (x, gradient) => LossKernels.Huber<T>(x, t, gradient, T.CreateTruncating(Delta)));
                sum = magnitude = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = pd[i] - Tolerance.D(t[i]), a = Math.Abs(d);
                    sum += a < Delta ? 0.5 * d * d : Delta * (a - 0.5 * Delta);
                    magnitude += a < Delta ? 0.5 * d * d : Delta * (a + 0.5 * Delta);
                    Tolerance.AssertClose(Math.Clamp(d, -Delta, Delta) / n, g[i], 2, $"huber {where} gradient[{i}]");
                }
                Tolerance.AssertClose(sum / n, value, 3 + summation, $"huber {where} value", magnitude / n);
            }
        }
    }

    private delegate T Kernel<T>(ReadOnlySpan<T> prediction, Span<T> gradient);

    // Runs the kernel into g, or in place over a copy of the prediction (same offset) that is then copied into g.
    private static T Run<T>(Span<T> p, T[] pBuffer, int offset, bool inPlace, T[] g, Kernel<T> kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!inPlace)
            return kernel(p, g);
        T[] copy = (T[])pBuffer.Clone();
        Span<T> x = copy.AsSpan(offset, p.Length);
        T value = kernel(x, x);
        x.CopyTo(g);
        return value;
    }
}
