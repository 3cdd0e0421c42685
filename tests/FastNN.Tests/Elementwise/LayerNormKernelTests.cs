using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// Normalization.LayerNormForward/Backward against the formulas in double on the same inputs (μ, σ² biased,
/// x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β; dx = rstd·(dx̂ − mean dx̂ − x̂·mean(dx̂·x̂)) with dx̂ = dy·γ; dγ += Σ dy·x̂, dβ += Σ dy),
/// at feature counts on both sides of every vector width, with rows far from zero mean, in place and not. The bounds
/// count a rounding per term of the row sums (f) on top of a few per element, scaled by the magnitudes summed.
/// </summary>
public class LayerNormKernelTests
{
    [Fact]
    public void FloatMatchesTheFormulas() => Check<float>();

    [Fact]
    public void DoubleMatchesTheFormulas() => Check<double>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        foreach (int f in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 64, 100, 257 })
        {
            const int rows = 5;
            const double Eps = 1e-5;
            T[] x = [.. Enumerable.Range(0, rows * f).Select(i => T.CreateTruncating(3 * (i / f) + TestData.Gaussian(rng)))];
            T[] dy = TestData.Finite<T>(rng, rows * f, 2);
            T[] gamma = TestData.Finite<T>(rng, f, 1.5), beta = TestData.Finite<T>(rng, f, 1);
            var y = new T[rows * f];
            T[] mean = new T[rows], rstd = new T[rows];
            Normalization.LayerNormForward<T>(y, mean, rstd, x, gamma, beta, rows, f, T.CreateTruncating(Eps));
            T[] inPlace = (T[])x.Clone();
            Normalization.LayerNormForward<T>(inPlace, new T[rows], new T[rows], inPlace, gamma, beta, rows, f, T.CreateTruncating(Eps));
            Assert.Equal(y, inPlace);

            T[] dgamma = [.. Enumerable.Repeat(T.One, f)], dbeta = [.. Enumerable.Repeat(T.One, f)];
            var dx = new T[rows * f];
            Normalization.LayerNormBackward<T>(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, f);
            T[] dxInPlace = (T[])dy.Clone();
            Normalization.LayerNormBackward<T>(dxInPlace, new T[f], new T[f], dxInPlace, x, mean, rstd, gamma, rows, f);
            Assert.Equal(dx, dxInPlace);

            double D(T v) => Tolerance.D(v);
            double[] expectedDGamma = new double[f], expectedDBeta = new double[f], scaleDGamma = new double[f], scaleDBeta = new double[f];
            for (int r = 0; r < rows; r++)
            {
                double mu = 0, variance = 0, absolute = 0;
                for (int c = 0; c < f; c++)
                {
                    mu += D(x[r * f + c]) / f;
                    absolute += Math.Abs(D(x[r * f + c])) / f;
                }
                for (int c = 0; c < f; c++)
                    variance += (D(x[r * f + c]) - mu) * (D(x[r * f + c]) - mu) / f;
                double s = 1 / Math.Sqrt(variance + Eps);
                string where = $"{typeof(T).Name} f = {f}, row {r}";
                Tolerance.AssertClose(mu, mean[r], 2 + f, $"{where}: mean", absolute);
                // σ² is summed around the rounded mean μ + δ, |δ| ≤ (2 + f)·ε·mean|x|: Σ(x − μ − δ)² = Σ(x − μ)² + f·δ², so δ
                // reaches rstd only squared, relative (δ·rstd)². (The factor was 1 + 2·mean|x|²·rstd², first order: 289 on the
                // rows at 12, wide enough for σ² = mean(x²) − μ², the one-pass formula whose cancellation two passes avoid.)
                double spread = 1 + Math.Pow((2 + f) * Tolerance.Epsilon<T>() * absolute * s, 2);
                Tolerance.AssertClose(s, rstd[r], 4 + 2 * f, $"{where}: rstd", s * spread);
                double[] xHat = new double[f], dxHat = new double[f];
                double meanDxHat = 0, meanDxHatXHat = 0;
                for (int c = 0; c < f; c++)
                {
                    int i = r * f + c;
                    xHat[c] = (D(x[i]) - mu) * s;
                    double magnitude = (Math.Abs(D(x[i])) + absolute) * s;
                    Tolerance.AssertClose(xHat[c] * D(gamma[c]) + D(beta[c]), y[i], 8 + 2 * f, $"{where}: y[{c}]",
                        magnitude * spread * Math.Abs(D(gamma[c])) + Math.Abs(D(beta[c])));
                    dxHat[c] = D(dy[i]) * D(gamma[c]);
                    meanDxHat += dxHat[c] / f;
                    meanDxHatXHat += dxHat[c] * xHat[c] / f;
                    expectedDGamma[c] += D(dy[i]) * xHat[c];
                    scaleDGamma[c] += Math.Abs(D(dy[i])) * magnitude * spread;
                    expectedDBeta[c] += D(dy[i]);
                    scaleDBeta[c] += Math.Abs(D(dy[i]));
                }
                double sumAbsDxHat = dxHat.Sum(Math.Abs) / f;
                for (int c = 0; c < f; c++)
                {
                    int i = r * f + c;
                    double magnitude = (Math.Abs(D(x[i])) + absolute) * s * spread;
                    Tolerance.AssertClose(s * (dxHat[c] - meanDxHat - xHat[c] * meanDxHatXHat), dx[i], 16 + 4 * f, $"{where}: dx[{c}]",
                        s * (Math.Abs(dxHat[c]) + sumAbsDxHat + magnitude * sumAbsDxHat * magnitude) * spread);
                }
            }
            for (int c = 0; c < f; c++)
            {
                Tolerance.AssertClose(1 + expectedDGamma[c], dgamma[c], 8 + 2 * f + rows, $"{typeof(T).Name} f = {f}: dgamma[{c}]", 1 + scaleDGamma[c]);
                Tolerance.AssertClose(1 + expectedDBeta[c], dbeta[c], rows + 1, $"{typeof(T).Name} f = {f}: dbeta[{c}]", 1 + scaleDBeta[c]);
            }
        }
    }

    /// <summary>
    /// A constant row is its own mean and normalizes to exactly β, whatever ε: its spread is within the plain mean's
    /// rounding, so the mean is corrected by Σ(x − μ)/f, which its deviations (one exact d) give exactly. (Summed plainly, 1,000 copies of 0.1f average to 0.1f + 1.5e-9, and
    /// that error times rstd = 1/√ε ≈ 316 reached γ·x̂ ≈ 5e-7.)
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(1000.1)]
    [InlineData(-3.7e5)]
    [InlineData(1e-3)]
    public void ConstantRowsNormalizeToExactlyBeta(double value)
    {
        ConstantRows<float>(value);
        ConstantRows<double>(value);
    }

    private static void ConstantRows<T>(double value) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(3);
        foreach (int f in new[] { 3, 17, 100, 1000, 1025 })
        {
            const int rows = 2;
            T c = T.CreateTruncating(value);
            T[] x = [.. Enumerable.Repeat(c, rows * f)];
            T[] gamma = TestData.Finite<T>(rng, f, 1.5), beta = TestData.Finite<T>(rng, f, 1);
            var y = new T[rows * f];
            T[] mean = new T[rows], rstd = new T[rows];
            Normalization.LayerNormForward<T>(y, mean, rstd, x, gamma, beta, rows, f, T.CreateTruncating(1e-5));
            Assert.Equal([c, c], mean);
            Assert.Equal([.. beta, .. beta], y);
        }
    }

    /// <summary>
    /// A first element far from the rest neither overflows nor blurs the mean: the row's deviations from x₀ overflow where
    /// its values and their sum do not (2e38f against three 1s: 3·(1 − 2e38) = −6e38; 3e38 and −3e38, whose mean is 0),
    /// which made μ −∞ and y NaN, and a dominant x₀ (1,000 among 1,023 values in (−1, 1), f = 1,024) put ε·f·x₀ of
    /// error into μ (3.5e-5 relative; y off by 1.1e-6), a thousand times the plain mean's. Reference: the formulas in double.
    /// </summary>
    [Fact]
    public void AnOutlyingFirstElementNeitherOverflowsNorBlursTheMean()
    {
        OutlyingFirst<float>([2e38, 1, 1, 1]);
        OutlyingFirst<float>([3e38, -3e38]);
        OutlyingFirst<double>([1.7e308, 1, 1, 1]);
        OutlyingFirst<double>([1.5e308, -1.5e308, 1]);
        var rng = new Random(1);
        double[] dominant = [1000, .. Enumerable.Range(1, 1023).Select(_ => rng.NextDouble() * 2 - 1)];
        OutlyingFirst<float>(dominant);
        OutlyingFirst<double>(dominant);
    }

    private static void OutlyingFirst<T>(double[] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int f = values.Length;
        T[] x = [.. values.Select(T.CreateTruncating)];
        T[] gamma = [.. Enumerable.Repeat(T.One, f)], beta = new T[f], y = new T[f], mean = new T[1], rstd = new T[1];
        Normalization.LayerNormForward<T>(y, mean, rstd, x, gamma, beta, 1, f, T.CreateTruncating(1e-5));
        double mu = x.Sum(v => double.CreateTruncating(v) / f);
        double variance = x.Sum(v => (double.CreateTruncating(v) - mu) * (double.CreateTruncating(v) - mu) / f);
        double unit = Math.ScaleB(1, typeof(T) == typeof(float) ? -24 : -53), absolute = x.Sum(v => Math.Abs(double.CreateTruncating(v)) / f);
        string where = $"{typeof(T).Name} [{values[0]}, {values[1]}, …] (f = {f})";
        Assert.True(Math.Abs(double.CreateTruncating(mean[0]) - mu) <= 16 * unit * absolute, $"{where}: mean {mean[0]}, expected {mu:R}");
        if (!(variance * f <= (typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue)))   // Σ(x − μ)² past T: y is β (rstd 0), as before; not NaN
        {
            Assert.All(y, v => Assert.False(T.IsNaN(v), $"{where}: y holds NaN"));
            return;
        }
        double s = 1 / Math.Sqrt(variance + 1e-5);
        for (int c = 0; c < f; c++)
        {
            double expected = (double.CreateTruncating(x[c]) - mu) * s;
            Assert.True(Math.Abs(double.CreateTruncating(y[c]) - expected) <= 8 * unit * Math.Max(1, Math.Abs(expected)), $"{where}: y[{c}] = {y[c]}, expected {expected:R}");
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        float[] x = new float[6], y = new float[6], two = new float[2], three = new float[3];
        Assert.Throws<ArgumentException>("mean", () => Normalization.LayerNormForward<float>(y, three, two, x, three, three, 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>("gamma", () => Normalization.LayerNormForward<float>(y, two, new float[2], x, two, three, 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>("y", () => Normalization.LayerNormForward<float>(y.AsSpan(0, 5).ToArray(), two, new float[2], x, three, three, 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>("dbeta", () => Normalization.LayerNormBackward<float>(new float[6], new float[3], new float[2], y, x, two, new float[2], three, 2, 3));
        Assert.Throws<ArgumentException>("dgamma", () => Normalization.LayerNormBackward<float>(new float[6], x.AsSpan(0, 3), new float[3], y, x, two, new float[2], three, 2, 3));
        Assert.Throws<ArgumentException>("dgamma", () => Normalization.LayerNormBackward<float>(new float[6], three, new float[3], y, x, two, new float[2], three, 2, 3));
        float[] dx = new float[6];
        Assert.Throws<ArgumentException>("dx", () => Normalization.LayerNormBackward<float>(dx, new float[3], new float[3], y, x, two, new float[2], dx.AsSpan(3, 3), 2, 3));
    }

    [Fact]
    public void AnOutputSharingMemoryWithAnInputItReadsIsRejected()
    {
        // rows 3, features 4: each case overlaps a span that is written (mean, rstd, y; dx, dγ, dβ) with one that
        // is read after the first write (x, γ, β; mean, rstd, γ), which would silently change later rows' results.
        const int Rows = 3, F = 4;
        float[] x = TestData.Finite<float>(new Random(5), Rows * F, 2), gamma = [1, 2, 3, 4], beta = new float[F];
        float[] buffer = new float[Rows * F + F];
        Span<float> Tail(int length) => buffer.AsSpan(Rows * F - 1, length); // the matrix's last element and beyond
        void Forward(Span<float> y, Span<float> mean, Span<float> rstd, ReadOnlySpan<float> xs, ReadOnlySpan<float> g, ReadOnlySpan<float> b) =>
            Normalization.LayerNormForward(y, mean, rstd, xs, g, b, Rows, F, 1e-5f);
        Assert.Throws<ArgumentException>("mean", () => Forward(new float[Rows * F], Tail(Rows), new float[Rows], buffer.AsSpan(0, Rows * F), gamma, beta));
        Assert.Throws<ArgumentException>("rstd", () => Forward(new float[Rows * F], new float[Rows], Tail(Rows), buffer.AsSpan(0, Rows * F), gamma, beta));
        Assert.Throws<ArgumentException>("mean", () => Forward(new float[Rows * F], buffer.AsSpan(0, Rows), new float[Rows], x, buffer.AsSpan(2, F), beta));
        Assert.Throws<ArgumentException>("y", () => Forward(buffer.AsSpan(0, Rows * F), new float[Rows], new float[Rows], x, Tail(F), beta));
        Assert.Throws<ArgumentException>("y", () => Forward(buffer.AsSpan(0, Rows * F), new float[Rows], new float[Rows], x, gamma, Tail(F)));

        float[] mean = new float[Rows], rstd = new float[Rows], dy = TestData.Finite<float>(new Random(6), Rows * F, 1);
        Forward(new float[Rows * F], mean, rstd, x, gamma, beta);
        void Backward(Span<float> dx, Span<float> dgamma, Span<float> dbeta, ReadOnlySpan<float> m, ReadOnlySpan<float> r, ReadOnlySpan<float> g) =>
            Normalization.LayerNormBackward(dx, dgamma, dbeta, dy, x, m, r, g, Rows, F);
        Assert.Throws<ArgumentException>("dx", () => Backward(buffer.AsSpan(0, Rows * F), new float[F], new float[F], mean, rstd, Tail(F)));
        Assert.Throws<ArgumentException>("dx", () => Backward(buffer.AsSpan(0, Rows * F), new float[F], new float[F], Tail(Rows), rstd, gamma));
        Assert.Throws<ArgumentException>("dx", () => Backward(buffer.AsSpan(0, Rows * F), new float[F], new float[F], mean, Tail(Rows), gamma));
        Assert.Throws<ArgumentException>("dgamma", () => Backward(new float[Rows * F], buffer.AsSpan(0, F), new float[F], mean, rstd, buffer.AsSpan(F - 1, F)));
        Assert.Throws<ArgumentException>("dbeta", () => Backward(new float[Rows * F], new float[F], buffer.AsSpan(0, F), buffer.AsSpan(F - 1, Rows), rstd, gamma));
    }

    [Fact]
    public void AWrongLengthNamesItsOwnArgument()
    {
        float[] x = new float[6], three = new float[3], two = new float[2];
        Assert.Throws<ArgumentException>("rstd", () => Normalization.LayerNormForward<float>(new float[6], new float[2], new float[3], x, three, new float[3], 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>("beta", () => Normalization.LayerNormForward<float>(new float[6], new float[2], new float[2], x, three, new float[4], 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>("dgamma", () => Normalization.LayerNormBackward<float>(new float[6], new float[2], new float[3], new float[6], x, two, new float[2], three, 2, 3));
        Assert.Throws<ArgumentException>("dbeta", () => Normalization.LayerNormBackward<float>(new float[6], new float[3], new float[4], new float[6], x, two, new float[2], three, 2, 3));
    }

    // A negative feature count is named as the caller wrote it; before, both kernels named "cols", a parameter they lack.
    [Fact]
    public void ANegativeFeatureCountNamesFeatures()
    {
        Assert.Throws<ArgumentOutOfRangeException>("features", () => Normalization.LayerNormForward<float>([], [], [], [], [], [], 0, -1, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("features", () => Normalization.LayerNormBackward<float>([], [], [], [], [], [], [], [], 0, -1));
    }

    [Theory]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void AnEpsilonThatIsNegativeOrNotFiniteIsRejected(double eps)
    {
        // As the LayerNorm layer's ε: non-negative; NaN or −ε would make every rstd NaN (or wrong) without a word.
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => Normalization.LayerNormForward<float>(new float[6], new float[2], new float[2], new float[6], new float[3], new float[3], 2, 3, (float)eps));
        Assert.Throws<ArgumentOutOfRangeException>("eps", () => Normalization.LayerNormForward<double>(new double[6], new double[2], new double[2], new double[6], new double[3], new double[3], 2, 3, eps));
    }
}
