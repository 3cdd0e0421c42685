using System.Numerics;
using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

public class GemmEdgeCaseTests
{
    // Shapes that reach the small path (m = 10 in two tiles of 5, a short C past the small volume), a packed edge-only
    // call, and packed calls with full and edge tiles.
    public static TheoryData<int, int, int, bool, bool> Shapes => new()
    {
        { 5, 3, 4, false, false },
        { 64, 10, 256, false, true },
        { 37, 45, 19, true, false },
        { 130, 70, 90, true, true },
        { 200, 150, 70, false, true },
        { 10, 70, 30, true, false },
        { 40, 500, 60, false, false },
        { 40, 500, 60, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CanariesAroundEveryMatrixSurvive(int m, int n, int k, bool transposeA, bool transposeB)
    {
        CanariesSurvive<float>(m, n, k, transposeA, transposeB);
        CanariesSurvive<double>(m, n, k, transposeA, transposeB);
    }

    private static void CanariesSurvive<T>(int m, int n, int k, bool transposeA, bool transposeB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A, B and C are slices in the middle of larger sentinel-filled arrays, each with padded rows.
        const int Before = 37, After = 41;
        var rng = new Random(m + 7 * n + 31 * k);
        T sentinel = T.CreateChecked(777.25);
        (int aRows, int aCols) = transposeA ? (k, m) : (m, k);
        (int bRows, int bCols) = transposeB ? (n, k) : (k, n);
        int lda = aCols + 5, ldb = bCols + 3, ldc = n + 7;
        T[] aFull = Embed(GemmAssert.Random(rng, aRows, aCols, lda, sentinel), Before, After, sentinel);
        T[] bFull = Embed(GemmAssert.Random(rng, bRows, bCols, ldb, sentinel), Before, After, sentinel);
        T[] cFull = Embed(GemmAssert.Random(rng, m, n, ldc, sentinel), Before, After, sentinel);
        T[] aBefore = (T[])aFull.Clone(), bBefore = (T[])bFull.Clone(), cBefore = (T[])cFull.Clone();
        int aLength = aFull.Length - Before - After, bLength = bFull.Length - Before - After, cLength = cFull.Length - Before - After;
        T alpha = T.CreateChecked(0.75), beta = T.CreateChecked(-0.5);

        Multiply(transposeA, transposeB, m, n, k, alpha, aFull.AsSpan(Before, aLength), lda, bFull.AsSpan(Before, bLength), ldb,
            beta, cFull.AsSpan(Before, cLength), ldc);

        Assert.Equal(aBefore, aFull);
        Assert.Equal(bBefore, bFull);
        for (int i = 0; i < Before; i++)
            Assert.Equal(sentinel, cFull[i]);
        for (int i = cFull.Length - After; i < cFull.Length; i++)
            Assert.Equal(sentinel, cFull[i]);
        // Inside the slice: the logical matrix is right and the row padding is untouched.
        GemmAssert.Matches(transposeA, transposeB, m, n, k, alpha, aFull[Before..^After], lda, bFull[Before..^After], ldb, beta,
            cBefore[Before..^After], cFull[Before..^After], ldc);
    }

    private static T[] Embed<T>(T[] x, int before, int after, T sentinel)
    {
        var full = new T[before + x.Length + after];
        Array.Fill(full, sentinel);
        x.CopyTo(full, before);
        return full;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BetaZeroOverwritesNaNInC(int m, int n, int k, bool transposeA, bool transposeB)
    {
        NaNDoesNotLeak<float>(m, n, k, transposeA, transposeB);
        NaNDoesNotLeak<double>(m, n, k, transposeA, transposeB);
    }

    private static void NaNDoesNotLeak<T>(int m, int n, int k, bool transposeA, bool transposeB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(3);
        (int aRows, int aCols) = transposeA ? (k, m) : (m, k);
        (int bRows, int bCols) = transposeB ? (n, k) : (k, n);
        T[] a = GemmAssert.Random(rng, aRows, aCols, aCols, T.Zero);
        T[] b = GemmAssert.Random(rng, bRows, bCols, bCols, T.Zero);
        T[] c = new T[m * n];
        Array.Fill(c, T.NaN);
        T[] original = (T[])c.Clone();

        Multiply(transposeA, transposeB, m, n, k, T.One, a, aCols, b, bCols, T.Zero, c, n);

        Assert.All(c, x => Assert.True(T.IsFinite(x)));
        GemmAssert.Matches(transposeA, transposeB, m, n, k, T.One, a, aCols, b, bCols, T.Zero, original, c, n);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void AlphaZeroNeverReadsAOrB(double betaValue)
    {
        foreach ((int m, int n, int k) in new[] { (4, 5, 6), (100, 90, 80) })
        {
            double[] a = new double[m * k], b = new double[k * n];
            Array.Fill(a, double.NaN);
            Array.Fill(b, double.PositiveInfinity);
            double[] c = Enumerable.Range(0, m * n).Select(i => (double)i).ToArray();
            double[] expected = c.Select(x => betaValue * x).ToArray();

            Multiply(false, false, m, n, k, 0.0, a, k, b, n, betaValue, c, n);

            Assert.Equal(expected, c);
        }
    }

    [Fact]
    public void EmptyDepthScalesC()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Multiply(false, false, 2, 3, 0, 2f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 3, 3f, c, 3);
        Assert.Equal([3f, 6, 9, 12, 15, 18], c);

        Array.Fill(c, float.NaN);
        Multiply(true, true, 2, 3, 0, 2f, ReadOnlySpan<float>.Empty, 2, ReadOnlySpan<float>.Empty, 1, 0f, c, 3);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void EmptyOutputTouchesNothing()
    {
        float[] a = [1, 2, 3], b = [4, 5, 6];
        Multiply(false, false, 0, 3, 1, 1f, ReadOnlySpan<float>.Empty, 1, b, 3, 1f, Span<float>.Empty, 3);
        Multiply(false, false, 3, 0, 1, 1f, a, 1, ReadOnlySpan<float>.Empty, 1, 1f, Span<float>.Empty, 1);
        Assert.Equal([1f, 2, 3], a);
        Assert.Equal([4f, 5, 6], b);
    }
}
