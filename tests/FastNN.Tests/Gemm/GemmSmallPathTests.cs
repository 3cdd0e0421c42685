using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Gemm;

/// <summary>Random calls with the given size ranges, every transpose, padded strides, alpha and beta including 0 and 1.</summary>
internal static class SmallPathCases
{
    public static Arbitrary<GemmCase> Of(Gen<int> m, Gen<int> n, Gen<int> k, Gen<bool>? transposeA = null, Gen<bool>? transposeB = null) =>
        (from mm in m
         from nn in n
         from kk in k
         from ta in transposeA ?? Gen.Elements(false, true)
         from tb in transposeB ?? Gen.Elements(false, true)
         from pa in Gen.Elements(0, 0, 1, 3, 17)
         from pb in Gen.Elements(0, 0, 1, 3, 17)
         from pc in Gen.Elements(0, 0, 1, 3, 17)
         from alpha in Gen.Elements(0.0, 1.0, 1.0, -1.0, 0.5, -1.75, 3.0)
         from beta in Gen.Elements(0.0, 0.0, 1.0, -1.0, 0.5, -1.75)
         from seed in Gen.Choose(0, int.MaxValue)
         select new GemmCase(mm, nn, kk, ta, tb, pa, pb, pc, alpha, beta, seed)).ToArbitrary();
}

/// <summary>k in 1..16 (a layer with few outputs, backward), m and n up to 300: many tiles, each only a few steps deep.</summary>
public static class ShallowArbitrary
{
    public static Arbitrary<GemmCase> Case() => SmallPathCases.Of(Gen.Choose(1, 300), Gen.Choose(1, 300), Gen.Choose(1, 16));
}

/// <summary>m in 1..16: every row count of a small-path tile and the even splits of m over tiles; n and k up to 300.</summary>
public static class ShortArbitrary
{
    public static Arbitrary<GemmCase> Case() => SmallPathCases.Of(Gen.Choose(1, 16), Gen.Choose(1, 300), Gen.Choose(1, 300));
}

/// <summary>m up to 64, n 100..700, k 60..400: short calls past the small volume, which skip packing when run on one thread.</summary>
public static class ShortWideArbitrary
{
    public static Arbitrary<GemmCase> Case() => SmallPathCases.Of(Gen.Choose(1, 64), Gen.Choose(100, 700), Gen.Choose(60, 400));
}

/// <summary>C = A·Bᵀ at most 16 wide (a layer with few outputs, forward): dot-product tiles of every row and column count.</summary>
public static class NarrowArbitrary
{
    public static Arbitrary<GemmCase> Case() =>
        SmallPathCases.Of(Gen.Choose(1, 300), Gen.Choose(1, 16), Gen.Choose(1, 300), Gen.Constant(false), Gen.Constant(true));
}

/// <summary>C = A·Bᵀ with at most 16 rows (a Dense layer's forward pass on a few rows), B of any size: the dot-product path.</summary>
public static class ShortDotArbitrary
{
    public static Arbitrary<GemmCase> Case() =>
        SmallPathCases.Of(Gen.Choose(1, 16), Gen.Choose(17, 700), Gen.Choose(1, 900), Gen.Constant(false), Gen.Constant(true));
}

public class GemmSmallPathTests
{
    [Property(MaxTest = 20, Arbitrary = [typeof(ShortDotArbitrary)])]
    public void ShortProductsWithTransposedBMatchTheReference(GemmCase g)
    {
        GemmPropertyTests.Check<float>(g);
        GemmPropertyTests.Check<double>(g);
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(NarrowArbitrary)])]
    public void NarrowProductsMatchTheReference(GemmCase g)
    {
        GemmPropertyTests.Check<float>(g);
        GemmPropertyTests.Check<double>(g);
    }

    // Row i of C is the same whether it is computed with its neighbours (in a tile of four, or a tile of three, two or
    // one after them) or alone: no result depends on where the tiling puts its row. A·Bᵀ on the dot-product path: 11
    // rows of 10 or 7 columns (short or narrow on the vector paths; the scalar path takes its kernel, which sums a row
    // in the same order), 7 and 6 rows of 40 (short on every path); and a row-major product on the micro-kernels.
    [Theory]
    [InlineData(11, false, true, 10)]
    [InlineData(11, false, true, 7)]
    [InlineData(7, false, true, 40)]
    [InlineData(6, false, true, 40)]
    [InlineData(11, false, false, 40)]
    public void RowsDoNotDependOnTheTileTheyFallIn(int m, bool transposeA, bool transposeB, int n)
    {
        const int k = 37;
        var random = new Random(5);
        float[] a = [.. Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] c0 = [.. Enumerable.Range(0, m * n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        float[] all = (float[])c0.Clone();
        FastNN.Intrinsics.Gemm.Multiply(transposeA, transposeB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, all, n);
        for (int i = 0; i < m; i++)
        {
            float[] row = c0[(i * n)..((i + 1) * n)];
            // Row i of op(A) alone: A's row i, or column i of a k×m A gathered into a 1-wide matrix.
            float[] ai = transposeA ? [.. Enumerable.Range(0, k).Select(p => a[p * m + i])] : a[(i * k)..((i + 1) * k)];
            FastNN.Intrinsics.Gemm.Multiply(transposeA, transposeB, 1, n, k, 1.5f, ai, transposeA ? 1 : k, b, ldb, 0.5f, row, n);
            Assert.Equal(row, all[(i * n)..((i + 1) * n)]);
        }
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(ShallowArbitrary)])]
    public void ShallowProductsMatchTheReference(GemmCase g)
    {
        GemmPropertyTests.Check<float>(g);
        GemmPropertyTests.Check<double>(g);
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(ShortArbitrary)])]
    public void ShortProductsMatchTheReference(GemmCase g)
    {
        GemmPropertyTests.Check<float>(g);
        GemmPropertyTests.Check<double>(g);
    }
}

/// <summary>Short wide calls on one thread, where they take the unpacked path instead of the packed one.</summary>
[Collection(ParallelismCollection.Name)]
public class GemmShortPathTests
{
    [Property(MaxTest = 20, Arbitrary = [typeof(ShortWideArbitrary)])]
    public void ShortWideProductsOnOneThreadMatchTheReference(GemmCase g)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            GemmPropertyTests.Check<float>(g);
            GemmPropertyTests.Check<double>(g);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
