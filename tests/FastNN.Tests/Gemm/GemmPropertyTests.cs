using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

/// <summary>One random GEMM call: shapes, layout and scalars; the matrix values come from <see cref="Seed"/>.</summary>
public sealed record GemmCase(int M, int N, int K, bool TransposeA, bool TransposeB, int PadA, int PadB, int PadC,
    double Alpha, double Beta, int Seed);

/// <summary>FsCheck generators for <see cref="GemmCase"/>.</summary>
public static class GemmArbitraries
{
    /// <summary>Sizes 0..300 (a third of them 0..24, so the small path and empty matrices come up often too), all transposes, padded strides, alpha and beta including 0 and 1.</summary>
    public static Arbitrary<GemmCase> Case()
    {
        Gen<int> size = Gen.Frequency((2, Gen.Choose(0, 300)), (1, Gen.Choose(0, 24)));
        Gen<double> scalar = Gen.Elements(0.0, 1.0, -1.0, 0.5, -1.75, 3.0);
        Gen<bool> flag = Gen.Elements(false, true);
        Gen<int> pad = Gen.Elements(0, 0, 1, 3, 17);
        return (from m in size
                from n in size
                from k in size
                from ta in flag
                from tb in flag
                from pa in pad
                from pb in pad
                from pc in pad
                from alpha in scalar
                from beta in scalar
                from seed in Gen.Choose(0, int.MaxValue)
                select new GemmCase(m, n, k, ta, tb, pa, pb, pc, alpha, beta, seed)).ToArbitrary();
    }
}

public class GemmPropertyTests
{
    [Property(MaxTest = 40, Arbitrary = [typeof(GemmArbitraries)])]
    public void FloatMatchesTheReference(GemmCase g) => Check<float>(g);

    [Property(MaxTest = 40, Arbitrary = [typeof(GemmArbitraries)])]
    public void DoubleMatchesTheReference(GemmCase g) => Check<double>(g);

    // The 784-256-256-10 MLP at batch 64, W stored [out, in]: forward X·Wᵀ (NT), input gradient dY·W (NN), weight gradient dYᵀ·X (TN).
    [Theory]
    [InlineData(64, 256, 784, false, true)]
    [InlineData(64, 784, 256, false, false)]
    [InlineData(256, 784, 64, true, false)]
    [InlineData(64, 10, 256, false, true)]
    [InlineData(64, 256, 10, false, false)]
    [InlineData(10, 256, 64, true, false)]
    [InlineData(3, 5, 7, true, true)]
    public void LayerShapesMatchTheReference(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var g = new GemmCase(m, n, k, transposeA, transposeB, 1, 2, 3, 1.0, 0.5, m * 1000 + n);
        Check<float>(g);
        Check<double>(g);
    }

    // A·Bᵀ with a narrow C: every column count of the dot-product tiles (1..5 and their sums), rows in fours and
    // ones, k with and without a masked remainder, and the widths where the vector path takes over again.
    [Theory]
    [InlineData(9, 37)]
    [InlineData(6, 16)]
    [InlineData(4, 5)]
    public void NarrowTransposedProductsMatchTheReference(int m, int k)
    {
        for (int n = 1; n <= 17; n++)
        {
            var g = new GemmCase(m, n, k, false, true, 2, 1, 3, -1.5, 0.5, n);
            Check<float>(g);
            Check<double>(g);
        }
    }

    internal static void Check<T>(GemmCase g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(g.Seed);
        (int aRows, int aCols) = g.TransposeA ? (g.K, g.M) : (g.M, g.K);
        (int bRows, int bCols) = g.TransposeB ? (g.N, g.K) : (g.K, g.N);
        int lda = Math.Max(aCols, 1) + g.PadA, ldb = Math.Max(bCols, 1) + g.PadB, ldc = Math.Max(g.N, 1) + g.PadC;
        T sentinel = T.CreateChecked(-12345.5);
        T[] a = GemmAssert.Random(rng, aRows, aCols, lda, sentinel);
        T[] b = GemmAssert.Random(rng, bRows, bCols, ldb, sentinel);
        T[] c = GemmAssert.Random(rng, g.M, g.N, ldc, sentinel);
        T[] original = (T[])c.Clone();
        T alpha = T.CreateChecked(g.Alpha), beta = T.CreateChecked(g.Beta);

        Multiply(g.TransposeA, g.TransposeB, g.M, g.N, g.K, alpha, a, lda, b, ldb, beta, c, ldc);

        GemmAssert.Matches(g.TransposeA, g.TransposeB, g.M, g.N, g.K, alpha, a, lda, b, ldb, beta, original, c, ldc);
    }
}
