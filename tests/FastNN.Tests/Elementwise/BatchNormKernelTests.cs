using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// The BatchNorm column kernels against the formulas in double on the same inputs: mean = Σx/n, Σ(x − μ)²,
/// y = (x − μ)·scale + shift, Σdy, Σdy·x̂ with x̂ = (x − μ)·rstd, dx = ((dy − x̂·k) − m)·scale; with row counts across
/// several bands of rows (1,024 columns: bands of 2; 256: of 8), columns on both sides of every vector width, columns off
/// zero mean, in place (y over x, dx over dy) and not. The bounds count a rounding per row of a column sum.
/// </summary>
public class BatchNormKernelTests
{
    [Fact]
    public void FloatMatchesTheFormulas() => Check<float>();

    [Fact]
    public void DoubleMatchesTheFormulas() => Check<double>();

    [Fact]
    public void BandsHoldTwoRowsOfEachL1Set()
    {
        Assert.Equal(2, Normalization.BandRows(4096, 4096));   // 1,024 floats: every row in the same set
        Assert.Equal(8, Normalization.BandRows(1024, 4096));   // 256 floats: every fourth row
        Assert.Equal(32, Normalization.BandRows(4000, 4096));  // 1,000 floats: 128 rows apart, capped
        Assert.Equal(2, Normalization.BandRows(8192, 4096));
    }

    /// <summary>
    /// A constant column is its own mean with no deviation, over any number of rows: its spread is within the plain
    /// mean's rounding, so the mean is corrected by Σ(x − μ)/rows, which its deviations (one exact d) give exactly.
    /// Summed plainly, 255 copies of 2024.1f averaged to 2024.1f − 0.0044, a deviation d that rstd = 1/√(d² + ε) took to
    /// x̂ = 0.81 on every row (±1 for 100 rows of 123456.789f, and of 1e30 in double): a constant feature normalized to
    /// most of a standard deviation, as in PyTorch, and its input gradient scaled by about 1/|d| instead of 1/√ε.
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(2024.1)]
    [InlineData(-3.7e5)]
    [InlineData(1e-3)]
    [InlineData(123456.789)]
    [InlineData(1e30)]
    public void ConstantColumnsAreTheirOwnMeanWithNoDeviation(double value)
    {
        ConstantColumns<float>(value);
        ConstantColumns<double>(value);
    }

    /// <summary>
    /// The same past 4,097 rows: the correction Σ(x − μ)/rows summed in float rounded once rows·d outgrew float's 24
    /// bits, so 65,536 rows of −3.7e5f kept a mean 0.06 off (x̂ = −0.999 on every row) and 2^20 rows of 2024.1f one 0.07
    /// off (x̂ = −0.995), where the layer's remarks promise exactly β.
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(2024.1)]
    [InlineData(3.3)]
    [InlineData(-3.7e5)]
    public void ConstantColumnsOfLargeBatchesAreTheirOwnMeanWithNoDeviation(double value)
    {
        ConstantColumns<float>(value, 2, [65536, 100_000, 1 << 20]);
        ConstantColumns<double>(value, 2, [65536, 100_000, 1 << 20]);
    }

    /// <summary>
    /// A constant column whose plain sum overflows (100 rows of 1e37f, 1,000 of 1e306) is still its own mean with no
    /// deviation, as in PyTorch: the plain mean was ∞, and recentering around it gave no finite correction, so the
    /// statistics stayed ∞ and every x̂ NaN.
    /// </summary>
    [Fact]
    public void ConstantColumnsWhoseSumOverflowsAreTheirOwnMean()
    {
        ConstantColumns<float>(1e37, 17, [100, 255]);
        ConstantColumns<double>(1e306, 17, [1000]);
    }

    // cols = 17: vector strips and a scalar column
    private static void ConstantColumns<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> =>
        ConstantColumns<T>(value, 17, [2, 3, 100, 255, 1000, 4097]);

    private static void ConstantColumns<T>(double value, int cols, int[] rowCounts) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int rows in rowCounts)
        {
            T[] column = [.. Enumerable.Range(0, cols).Select(c => T.CreateTruncating(value * (1 + c / 7.0)))];
            T[] x = [.. Enumerable.Range(0, rows * cols).Select(i => column[i % cols])];
            T[] mean = new T[cols], squares = new T[cols];
            Normalization.BatchNormStatistics<T>(mean, squares, x, rows, cols);
            Assert.True(column.SequenceEqual(mean), $"{typeof(T).Name} {rows} rows of {value}: mean {string.Join(", ", mean)}");
            Assert.All(squares, s => Assert.Equal(T.Zero, s));
        }
    }

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(13);
        foreach ((int rows, int cols) in new[] { (2, 1), (3, 7), (9, 16), (17, 33), (40, 256), (9, 1024), (5, 1000) })
        {
            double D(T v) => Tolerance.D(v);
            T[] x = [.. Enumerable.Range(0, rows * cols).Select(i => T.CreateTruncating(5 * Math.Sin(i % cols) + TestData.Gaussian(rng)))];
            T[] dy = TestData.Finite<T>(rng, rows * cols, 2);
            T[] mean = new T[cols], squares = new T[cols];
            Normalization.BatchNormStatistics<T>(mean, squares, x, rows, cols);
            T[] rstd = new T[cols], scale = TestData.Finite<T>(rng, cols, 2), shift = TestData.Finite<T>(rng, cols, 1);
            double[] mu = new double[cols], sq = new double[cols], abs = new double[cols];
            for (int c = 0; c < cols; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    mu[c] += D(x[r * cols + c]) / rows;
                    abs[c] += Math.Abs(D(x[r * cols + c])) / rows;
                }
                for (int r = 0; r < rows; r++)
                    sq[c] += (D(x[r * cols + c]) - mu[c]) * (D(x[r * cols + c]) - mu[c]);
                string where = $"{typeof(T).Name} [{rows}, {cols}] column {c}";
                Tolerance.AssertClose(mu[c], mean[c], rows + 2, $"{where}: mean", abs[c]);
                // Summed around the rounded mean μ + δ, |δ| ≤ (rows + 2)·ε·mean|x|: Σ(x − μ − δ)² = Σ(x − μ)² + rows·δ², so δ
                // enters only squared. (The allowance was 2·rows·(rows + 2)·mean|x|², first order: wide enough for
                // Σx² − rows·μ², the one-pass formula whose cancellation two passes avoid.)
                Tolerance.AssertClose(sq[c], squares[c], 2 * rows + 4, $"{where}: squared deviations",
                    sq[c] + rows * Math.Pow(rows + 2, 2) * Tolerance.Epsilon<T>() * abs[c] * abs[c]);
                rstd[c] = T.One / T.Sqrt(squares[c] / T.CreateTruncating(rows) + T.CreateTruncating(1e-5));
            }

            var y = new T[x.Length];
            Normalization.BatchNormNormalize<T>(y, x, mean, scale, shift, rows, cols);
            T[] inPlace = (T[])x.Clone();
            Normalization.BatchNormNormalize<T>(inPlace, inPlace, mean, scale, shift, rows, cols);
            Assert.Equal(y, inPlace);
            for (int i = 0; i < x.Length; i++)
            {
                int c = i % cols;
                double centered = D(x[i]) - D(mean[c]);
                Tolerance.AssertClose(centered * D(scale[c]) + D(shift[c]), y[i], 3, $"{typeof(T).Name} [{rows}, {cols}]: y[{i}]",
                    (Math.Abs(D(x[i])) + Math.Abs(D(mean[c]))) * Math.Abs(D(scale[c])) + Math.Abs(D(shift[c])));
            }

            T[] sumDy = new T[cols], sumDyXHat = new T[cols];
            Normalization.BatchNormGradientSums<T>(sumDy, sumDyXHat, dy, x, mean, rstd, rows, cols);
            T[] meanDyXHat = new T[cols], meanDy = new T[cols];
            for (int c = 0; c < cols; c++)
            {
                double a = 0, b = 0, absA = 0, absB = 0;
                for (int r = 0; r < rows; r++)
                {
                    double d = D(dy[r * cols + c]), xHat = (D(x[r * cols + c]) - D(mean[c])) * D(rstd[c]);
                    a += d;
                    b += d * xHat;
                    absA += Math.Abs(d);
                    absB += Math.Abs(d) * (Math.Abs(D(x[r * cols + c])) + Math.Abs(D(mean[c]))) * D(rstd[c]);
                }
                string where = $"{typeof(T).Name} [{rows}, {cols}] column {c}";
                Tolerance.AssertClose(a, sumDy[c], rows + 1, $"{where}: Σdy", absA);
                Tolerance.AssertClose(b, sumDyXHat[c], rows + 4, $"{where}: Σdy·x̂", absB);
                meanDyXHat[c] = sumDyXHat[c] / T.CreateTruncating(rows);
                meanDy[c] = sumDy[c] / T.CreateTruncating(rows);
            }

            var dx = new T[x.Length];
            Normalization.BatchNormInputGradient<T>(dx, dy, x, mean, rstd, meanDyXHat, meanDy, scale, rows, cols);
            T[] dxInPlace = (T[])dy.Clone();
            Normalization.BatchNormInputGradient<T>(dxInPlace, dxInPlace, x, mean, rstd, meanDyXHat, meanDy, scale, rows, cols);
            Assert.Equal(dx, dxInPlace);
            for (int i = 0; i < x.Length; i++)
            {
                int c = i % cols;
                double xHat = (D(x[i]) - D(mean[c])) * D(rstd[c]);
                double magnitude = Math.Abs(D(dy[i])) + (Math.Abs(D(x[i])) + Math.Abs(D(mean[c]))) * D(rstd[c]) * Math.Abs(D(meanDyXHat[c])) + Math.Abs(D(meanDy[c]));
                Tolerance.AssertClose((D(dy[i]) - xHat * D(meanDyXHat[c]) - D(meanDy[c])) * D(scale[c]), dx[i], 6,
                    $"{typeof(T).Name} [{rows}, {cols}]: dx[{i}]", magnitude * Math.Abs(D(scale[c])));
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        float[] x = new float[6], three = new float[3];
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => Normalization.BatchNormStatistics<float>(new float[3], new float[3], [], 0, 3));
        Assert.Throws<ArgumentException>("mean", () => Normalization.BatchNormStatistics<float>(new float[2], new float[3], x, 2, 3));
        Assert.Throws<ArgumentException>("mean", () => Normalization.BatchNormStatistics<float>(x.AsSpan(0, 3), new float[3], x, 2, 3));
        Assert.Throws<ArgumentException>("shift", () => Normalization.BatchNormNormalize<float>(new float[6], x, three, three, new float[2], 2, 3));
        Assert.Throws<ArgumentException>("sumDy", () => Normalization.BatchNormGradientSums<float>(new float[2], new float[3], x, new float[6], three, three, 2, 3));
        Assert.Throws<ArgumentException>("dx", () => Normalization.BatchNormInputGradient<float>(x, new float[6], x, three, three, three, three, three, 2, 3));
    }

    // A per-column input inside the matrix written is refused naming the output the caller passed (y, dx) and the input;
    // before, both kernels named a parameter "output" that neither has.
    [Fact]
    public void APerColumnInputOverlappingTheOutputNamesBoth()
    {
        float[] y = new float[6], x = new float[6], three = new float[3];
        var e = Assert.Throws<ArgumentException>("y", () => Normalization.BatchNormNormalize<float>(y, x, three, y.AsSpan(3, 3), three, 2, 3));
        Assert.StartsWith("y overlaps scale", e.Message);
        e = Assert.Throws<ArgumentException>("dx", () => Normalization.BatchNormInputGradient<float>(y, x, new float[6], three, y.AsSpan(0, 3), three, three, three, 2, 3));
        Assert.StartsWith("dx overlaps rstd", e.Message);
    }

    [Fact]
    public void GradientSumsOverNoRowsAreZero()
    {
        // Σ over an empty batch is 0: the sums are documented as overwritten, so nothing of what the spans held may remain.
        float[] sumDy = [5, 5, 5, 5, 5, 5, 5, 5, 5], sumDyXHat = [7, 7, 7, 7, 7, 7, 7, 7, 7];
        Normalization.BatchNormGradientSums<float>(sumDy, sumDyXHat, [], [], new float[9], new float[9], 0, 9);
        Assert.Equal(new float[9], sumDy);
        Assert.Equal(new float[9], sumDyXHat);
    }
}
