using System.Numerics;

namespace FastNN.Tests.Gemm;

/// <summary>Test data and the comparison against <see cref="ReferenceGemm"/>.</summary>
internal static class GemmAssert
{
    /// <summary>A rows×cols matrix with row stride ld (the padding filled with <paramref name="padding"/>), values uniform in [-1, 1).</summary>
    public static T[] Random<T>(Random rng, int rows, int cols, int ld, T padding) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[Math.Max(rows * ld, 1)];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % ld < cols && i / ld < rows ? T.CreateChecked(rng.NextDouble() * 2 - 1) : padding;
        return x;
    }

    /// <summary>Unit roundoff of T: 2^-24 for float, 2^-53 for double.</summary>
    public static double UnitRoundoff<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);

    /// <summary>
    /// Every element of the m×n logical C equals the reference within <see cref="Bound"/>, min(k + 4, 4 + 2√k)·u·magnitude, and nothing else
    /// in <paramref name="c"/> (row padding included) differs from <paramref name="original"/>.
    /// </summary>
    /// <remarks>
    /// (k + 4)·u is the worst case of a length-k dot product (k roundings in any summation order, plus alpha, beta and
    /// the final rounding) and holds always; but roundings of either sign add like a random walk, so a correct kernel
    /// stays within a few u·√k (Higham, Accuracy and Stability, §3.1), and a bound of k·u (304 u at k = 300) would let
    /// an error 10 times that size through. Measured on all four paths over every GEMM test: at most 4.7 u, under 0.57
    /// of this bound (0.36 for k ≥ 16, where the √k term governs).
    /// </remarks>
    public static void Matches<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha, T[] a, int lda, T[] b, int ldb,
        T beta, T[] original, T[] c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (double[] expected, double[] magnitude) = ReferenceGemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, original, ldc);
        double u = UnitRoundoff<T>();
        for (int idx = 0; idx < c.Length; idx++)
        {
            int i = idx / ldc, j = idx % ldc;
            if (i < m && j < n)
            {
                double actual = double.CreateChecked(c[idx]);
                double tolerance = Bound(k, u, magnitude[i * n + j]);
                if (!(Math.Abs(actual - expected[i * n + j]) <= tolerance))
                    Assert.Fail($"C[{i},{j}] = {actual}, expected {expected[i * n + j]} ± {tolerance} " +
                        $"(m={m} n={n} k={k} transposeA={transposeA} transposeB={transposeB} alpha={alpha} beta={beta} lda={lda} ldb={ldb} ldc={ldc}, path {FastNN.Intrinsics.Gemm.SelectedPath})");
            }
            else if (!BitEquals(c[idx], original[idx]))
            {
                Assert.Fail($"C[{idx}] outside the {m}x{n} matrix (ldc {ldc}) changed from {original[idx]} to {c[idx]}");
            }
        }
    }

    /// <summary>
    /// The error allowed for one element of a length-k product whose terms and scaled C sum to <paramref name="magnitude"/>
    /// in absolute value: min(k + r, r + 2√k)·u·magnitude, r the roundings outside the dot product (see <see cref="Matches"/>).
    /// </summary>
    public static double Bound(int k, double u, double magnitude, int roundings = 4) =>
        Math.Min(k + roundings, roundings + 2 * Math.Sqrt(k)) * u * magnitude + double.Epsilon;

    /// <summary>Same bits (so NaN equals NaN and -0 differs from +0).</summary>
    public static bool BitEquals<T>(T x, T y) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in x)).SequenceEqual(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in y)));
}
