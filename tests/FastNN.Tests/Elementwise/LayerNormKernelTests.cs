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
                // rstd carries μ's error through Σ(x − μ)², relative to (|x| + |μ|)²
                Tolerance.AssertClose(s, rstd[r], 4 + 2 * f, $"{where}: rstd", s * (1 + 2 * absolute * absolute * s * s));
                double[] xHat = new double[f], dxHat = new double[f];
                double meanDxHat = 0, meanDxHatXHat = 0;
                for (int c = 0; c < f; c++)
                {
                    int i = r * f + c;
                    xHat[c] = (D(x[i]) - mu) * s;
                    double magnitude = (Math.Abs(D(x[i])) + absolute) * s;
                    Tolerance.AssertClose(xHat[c] * D(gamma[c]) + D(beta[c]), y[i], 8 + 2 * f, $"{where}: y[{c}]",
                        magnitude * (1 + 2 * absolute * absolute * s * s) * Math.Abs(D(gamma[c])) + Math.Abs(D(beta[c])));
                    dxHat[c] = D(dy[i]) * D(gamma[c]);
                    meanDxHat += dxHat[c] / f;
                    meanDxHatXHat += dxHat[c] * xHat[c] / f;
                    expectedDGamma[c] += D(dy[i]) * xHat[c];
                    scaleDGamma[c] += Math.Abs(D(dy[i])) * magnitude * (1 + 2 * absolute * absolute * s * s);
                    expectedDBeta[c] += D(dy[i]);
                    scaleDBeta[c] += Math.Abs(D(dy[i]));
                }
                double sumAbsDxHat = dxHat.Sum(Math.Abs) / f;
                for (int c = 0; c < f; c++)
                {
                    int i = r * f + c;
                    double magnitude = (Math.Abs(D(x[i])) + absolute) * s * (1 + 2 * absolute * absolute * s * s);
                    Tolerance.AssertClose(s * (dxHat[c] - meanDxHat - xHat[c] * meanDxHatXHat), dx[i], 16 + 4 * f, $"{where}: dx[{c}]",
                        s * (Math.Abs(dxHat[c]) + sumAbsDxHat + magnitude * sumAbsDxHat * magnitude) * (1 + 2 * absolute * absolute * s * s));
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
    /// A constant row is its own mean and normalizes to exactly β, whatever ε: the mean is taken around the row's first
    /// element, so the deviations are exact zeros. (Summed plainly, 1,000 copies of 0.1f average to 0.1f + 1.5e-9, and
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
