using System.Runtime.Intrinsics;
using FastNN.Intrinsics;
using FastNN.Tests.Threading;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastNN.Tests.Gemm;

[Collection(ParallelismCollection.Name)] // pins the block sizes
public class GemmBlockingTests
{
    [Fact]
    public void EveryBlockSizeRowFitsItsKernel()
    {
        Assert.True(BlockSizes.For<float>(IsaPath.Vector512).Fits<float, MicroKernel512<float>>());
        Assert.True(BlockSizes.For<double>(IsaPath.Vector512).Fits<double, MicroKernel512<double>>());
        Assert.True(BlockSizes.For<float>(IsaPath.Vector256).Fits<float, MicroKernel6x2<float, Vector256<float>, Width256<float>>>());
        Assert.True(BlockSizes.For<double>(IsaPath.Vector256).Fits<double, MicroKernel6x2<double, Vector256<double>, Width256<double>>>());
        Assert.True(BlockSizes.For<float>(IsaPath.Vector128).Fits<float, MicroKernel6x2<float, Vector128<float>, Width128<float>>>());
        Assert.True(BlockSizes.For<double>(IsaPath.Vector128).Fits<double, MicroKernel6x2<double, Vector128<double>, Width128<double>>>());
        Assert.True(BlockSizes.For<float>(IsaPath.Scalar).Fits<float, MicroKernelScalar<float>>());
        Assert.True(BlockSizes.For<double>(IsaPath.Scalar).Fits<double, MicroKernelScalar<double>>());
    }

    // In blocks pinned to the Zen overrides' of AVX-512 float, MC 96, KC 1024 (KCMax 1280), NC 1024, on every path and
    // element type whatever this machine derives: larger than MC and KCMax (several ic blocks, two pc blocks, so beta
    // must apply only once), wider than NC (two jc blocks), and a narrow C computed as its transpose. (100, 1100, 1300) NN takes
    // every loop of the AVX-512 float path that reads A in place: a 4-row second ic block, a second jc block ending in
    // a 12-column panel, and a second rank update onto C. There op(A) = Aᵀ is read in place when k ≤ 256 and lda is not a
    // multiple of 1024 floats: (300, 1100, 256) TN (lda 301) through four ic and two jc blocks; (1023, 100, 64) TN has
    // lda 1024 and packs A.
    [Theory]
    [InlineData(520, 300, 1300, false, true, 0.5)]
    [InlineData(520, 300, 1300, true, false, 0.0)]
    [InlineData(30, 1100, 40, false, false, -1.0)]
    [InlineData(700, 12, 1300, false, true, 0.5)]
    [InlineData(100, 1100, 1300, false, false, 0.5)]
    [InlineData(300, 1100, 256, true, false, 1.0)]
    [InlineData(1023, 100, 64, true, false, 0.5)]
    public void MultiBlockProblemsMatchTheReference(int m, int n, int k, bool transposeA, bool transposeB, double beta)
    {
        var g = new GemmCase(m, n, k, transposeA, transposeB, 1, 0, 2, 0.75, beta, m + n + k);
        PinnedBlocking.Run<float>(PinnedBlocking.Blocks<float>(96, 1024, 1024), () => GemmPropertyTests.Check<float>(g));
        if (m * n * k < 10_000_000)
            PinnedBlocking.Run<double>(PinnedBlocking.Blocks<double>(96, 1024, 1024), () => GemmPropertyTests.Check<double>(g));
    }

    // Blocks as deep and wide as an int allows, as FASTNN_GEMM_BLOCKING=8,2147483647,2147483647 set before its check:
    // before, the part of a two-thread call whose rows (or columns) start past 0 stepped its ic (jc) loop past
    // int.MaxValue, wrapped to a negative start and ran its blocks again from rows (columns) below its own: (512, 32, 128)
    // applied beta to its rows 17 times, and (64, 1024, 784), the forward product of `fastnn train --layers 1024,1024`,
    // packed more columns of B than its workspace holds (an AccessViolationException in PackRows).
    [Theory]
    [InlineData(512, 32, 128)]
    [InlineData(64, 1024, 784)]
    public void BlocksUpToIntMaxValueStepNoPartPastItsEnd(int m, int n, int k)
    {
        (int mr, int nr) = BlockSizes.Tile(FastNN.Intrinsics.Gemm.SelectedPath, sizeof(float));
        var huge = new BlockSizes(mr, nr, int.MaxValue / mr * mr, int.MaxValue, int.MaxValue, int.MaxValue / nr * nr);
        // The pool's cap is read once, from the sizes in force: read it from the derived ones, not from these.
        _ = WorkspacePool.LargestNeed;
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2; // one part from row and column 0 on a single processor, which never wrapped
            PinnedBlocking.Run<float>(huge, () => GemmPropertyTests.Check<float>(new GemmCase(m, n, k, false, false, 0, 0, 0, 1, 1, m + n + k)));
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    // Depths on and around this path's block boundaries (KC, KCMax, KC + KCMax, 2·KC), so the last rank update is
    // full, one element deep, or absorbed into a longer one; m and n cross the tile sizes, m above the small path's 64 rows.
    [Property(MaxTest = 12)]
    public Property DepthsAroundTheBlockBoundariesMatchTheReference() =>
        Prop.ForAll(DepthCases().ToArbitrary(), g =>
        {
            GemmPropertyTests.Check<float>(g);
            GemmPropertyTests.Check<double>(g);
        });

    private static Gen<GemmCase> DepthCases()
    {
        BlockSizes s = BlockSizes.For<float>(FastNN.Intrinsics.Gemm.SelectedPath), d = BlockSizes.For<double>(FastNN.Intrinsics.Gemm.SelectedPath);
        int[] depths = [.. new[] { s, d }.SelectMany(b => new[] { b.KC - 1, b.KC, b.KC + 1, b.KCMax, b.KCMax + 1, b.KC + b.KCMax, 2 * b.KC + 1 }).Distinct()];
        Gen<bool> flag = Gen.Elements(false, true);
        return from m in Gen.Choose(65, 130)
               from n in Gen.Choose(40, 120)
               from k in Gen.Elements(depths)
               from ta in flag
               from tb in flag
               from pad in Gen.Elements(0, 3)
               from beta in Gen.Elements(0.0, 1.0, -0.5)
               from seed in Gen.Choose(0, int.MaxValue)
               select new GemmCase(m, n, k, ta, tb, pad, pad, pad, 1.5, beta, seed);
    }
}
