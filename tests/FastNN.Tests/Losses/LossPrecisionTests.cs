using System.Numerics;
using FastNN.Losses;
using FastNN.Tests.Elementwise;
using FsCheck.Xunit;

namespace FastNN.Tests.Losses;

/// <summary>
/// Every loss in float and in double, value and gradient, against its closed form evaluated in double on the same
/// (rounded) inputs, within bounds in ε of the element type counted from the kernel's roundings. The finite-difference
/// properties in <see cref="LossTests"/> run in double only and cannot see an error below 1e-6 relative.
/// </summary>
public class LossPrecisionTests
{
    [Property(MaxTest = 30)]
    public void FloatAndDoubleLossesMatchTheirClosedForms(int seed)
    {
        Check<float>(seed);
        Check<double>(seed);
    }

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int batch = 1 + rng.Next(8), features = 1 + TestData.Size(rng, 40);
        int n = batch * features;
        T[] p = TestData.Finite<T>(rng, n, 3);
        T[] t = TestData.Finite<T>(rng, n, 3);
        T[] probabilities = [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.NextDouble()))];
        T[] labels = [.. Enumerable.Range(0, batch).Select(_ => T.CreateTruncating(rng.Next(features)))];
        var g = new T[n];
        double D(T v) => double.CreateTruncating(v);
        string Where(string loss) => $"{loss}<{typeof(T).Name}> [{batch}, {features}]";

        // MSE: d = p − t (one rounding), d² (one), Σd² in double (n roundings for double), /n (one); ∂ = d·(2/n) (three roundings).
        T value = new MseLoss<T>().Compute(p, t, g, batch);
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double d = D(p[i]) - D(t[i]);
            squares += d * d;
            Tolerance.AssertClose(2 * d / n, g[i], 2, $"{Where("mse")} gradient[{i}]");
        }
        Tolerance.AssertClose(squares / n, value, n + 3, $"{Where("mse")} value");

        // BCE and Huber sum their terms in double, in lanes, as MSE: for float far below its ε; for double the n additions,
        // in another order than the reference's, count as n roundings.
        double summation = typeof(T) == typeof(double) ? n : 0;

        // BCE with logits: ℓ = max(x, 0) − x·y + log(1 + e^−|x|), a few roundings of each term, summed in double;
        // ∂ = (σ(x) − y)/n: σ in three roundings, the difference and the scaling in two more.
        value = new BceWithLogitsLoss<T>().Compute(p, probabilities, g, batch);
        double expected = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            double x = D(p[i]), y = D(probabilities[i]);
            double softplus = Reference.Log1pExp(-Math.Abs(x));
            expected += Math.Max(x, 0) - x * y + softplus;
            magnitude += Math.Max(x, 0) + Math.Abs(x * y) + softplus;
            double sigmoid = Reference.Sigmoid(x);
            Tolerance.AssertClose((sigmoid - y) / n, g[i], 4, $"{Where("bce")} gradient[{i}]", (sigmoid + y) / n);
        }
        Tolerance.AssertClose(expected / n, value, 4 + summation, $"{Where("bce")} value", magnitude / n);

        // Huber (δ = 1): ½d² or |d| − ½ per element (d rounded, then two roundings), summed in double; ∂ = clamp(d)/n.
        value = new HuberLoss<T>().Compute(p, t, g, batch);
        expected = magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            double d = D(p[i]) - D(t[i]), a = Math.Abs(d);
            expected += a < 1 ? 0.5 * d * d : a - 0.5;
            magnitude += a < 1 ? 0.5 * d * d : a + 0.5;
            Tolerance.AssertClose(Math.Clamp(d, -1, 1) / n, g[i], 2, $"{Where("huber")} gradient[{i}]");
        }
        Tolerance.AssertClose(expected / n, value, 3 + summation, $"{Where("huber")} value", magnitude / n);

        // Softmax cross-entropy per row: ℓ = m + log Σe^(x−m) − x_k; ∂ = softmax/batch − [i = k]/batch. The exponentials
        // (a few ε each) and their sum (one rounding per class) make the bound grow with the class count.
        value = new SoftmaxCrossEntropyLoss<T>().Compute(p, labels, g, batch);
        expected = magnitude = 0;
        for (int r = 0; r < batch; r++)
        {
            int k = int.CreateTruncating(labels[r]);
            double max = double.NegativeInfinity, total = 0;
            for (int c = 0; c < features; c++)
                max = Math.Max(max, D(p[r * features + c]));
            for (int c = 0; c < features; c++)
                total += Math.Exp(D(p[r * features + c]) - max);
            double xk = D(p[r * features + k]);
            expected += max + Math.Log(total) - xk;
            magnitude += Math.Abs(max) + Math.Log(total) + Math.Abs(xk) + 1;
            for (int c = 0; c < features; c++)
            {
                double softmax = Math.Exp(D(p[r * features + c]) - max) / total, hot = c == k ? 1 : 0;
                Tolerance.AssertClose((softmax - hot) / batch, g[r * features + c], features + 8, $"{Where("cross-entropy")} gradient[{r}, {c}]",
                    (softmax * (1 + Math.Abs(D(p[r * features + c]) - max)) + hot) / batch);
            }
        }
        Tolerance.AssertClose(expected / batch, value, features + 8, $"{Where("cross-entropy")} value", magnitude / batch);
    }

    /// <summary>
    /// A dominant logit over 1,000 classes (20 against 999 zeros): the loss of its row is log(1 + 999·e^−20) ≈ 2.06e-6 and
    /// the label's gradient −2.06e-6, while 1 + 2.06e-6 rounds to within 3 % of that excess in float, and to 1 where the
    /// small terms are summed into the dominant one's accumulator (the scalar path: loss 0). Both within 1e-5 relative of
    /// the formula in double on every path (the CI runs each), as is the same row labelled elsewhere.
    /// </summary>
    [Fact]
    public void ADominantLogitKeepsTheSmallTermsOfLossAndGradient()
    {
        const int Classes = 1000;
        foreach (int dominant in new[] { 0, 517, Classes - 1 })
        {
            float[] x = new float[Classes];
            x[dominant] = 20;
            double excess = (Classes - 1) * Math.Exp(-20.0);
            foreach (int label in new[] { dominant, (dominant + 1) % Classes })
            {
                double expected = label == dominant ? Math.Log(1 + excess) : 20 + Math.Log(1 + excess);
                var g = new float[Classes];
                float loss = new SoftmaxCrossEntropyLoss<float>().Compute(x, [label], g, 1);
                Assert.True(Math.Abs(loss - expected) <= 1e-5 * expected, $"dominant {dominant}, label {label}: loss {loss:R}, expected {expected:R}");
                double own = label == dominant ? -excess / (1 + excess) : Math.Exp(-20.0) / (1 + excess) - 1;
                Assert.True(Math.Abs(g[label] - own) <= 1e-5 * Math.Abs(own), $"dominant {dominant}, label {label}: gradient {g[label]:R}, expected {own:R}");
            }
        }
    }
}
