using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Gemm;

/// <summary>Random calls with the given size ranges, every transpose, padded strides, alpha and beta including 0 and 1.</summary>
internal static class SmallPathCases
{
    public static Arbitrary<GemmCase> Of(Gen<int> m, Gen<int> n, Gen<int> k) =>
        (from mm in m
         from nn in n
         from kk in k
         from ta in Gen.Elements(false, true)
         from tb in Gen.Elements(false, true)
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

public class GemmSmallPathTests
{
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
