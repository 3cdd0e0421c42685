using FastNN.Intrinsics;
using FastNN.Tests.Threading;
using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

/// <summary>
/// A·Bᵀ with B the larger operand, computed as Cᵀ = B·Aᵀ and merged into C's row-major layout (the packed path's
/// turned-around rule): results against the double reference on both sides of the rule, and the bits against the
/// transposed product computed directly. The products run in deep blocks, pinned (the Zen overrides' of AVX-512 float: MC 96, KC 1024, NC 1024), where the
/// rule turns them around whatever blocking this machine derives.
/// </summary>
[Collection(ParallelismCollection.Name)] // pins the block sizes
public class GemmTurnedAroundTests
{
    private static readonly BlockSizes Deep = PinnedBlocking.Blocks<float>(96, 1024, 1024);

    // (m, n, k): the deep net's forward (64, 256, 256) and the MLP's (64, 256, 784) are turned around on AVX-512
    // float in deep blocks; (95, 203, 1100) too, with a ragged row tile and a ragged panel both ways; (64, 96, 256) saves too little
    // packing and (48, 512, 256) would fill its turned panels less: those stay as they are.
    [Theory]
    [InlineData(64, 256, 256)]
    [InlineData(64, 256, 784)]
    [InlineData(95, 203, 1100)]
    [InlineData(64, 96, 256)]
    [InlineData(48, 512, 256)]
    public void ProductsOnBothSidesOfTheRuleMatchTheReference(int m, int n, int k)
    {
        foreach ((double alpha, double beta, int padC) in new[] { (1.0, 0.0, 0), (-1.5, 0.5, 3), (0.5, 1.0, 17), (1.0, -1.75, 1) })
        {
            var g = new GemmCase(m, n, k, false, true, 1, 2, padC, alpha, beta, m * 7919 + n + padC);
            PinnedBlocking.Run<float>(Deep, () => GemmPropertyTests.Check<float>(g));
            GemmPropertyTests.Check<double>(g);
        }
    }

    [Fact]
    public void TheRuleTurnsAroundOnlyWhereBIsClearlyTheLargerOperand()
    {
        bool vector512 = SelectedPath == IsaPath.Vector512;
        Assert.Equal(vector512, TurnsAround(false, true, 64, 256, 256, 0f, Deep));
        Assert.Equal(vector512, TurnsAround(false, true, 64, 256, 784, 1f, Deep));
        Assert.False(TurnsAround(false, true, 64, 96, 256, 0f, Deep));
        Assert.False(TurnsAround(false, true, 64, 256, 256, 1f, Deep));
        Assert.False(TurnsAround(false, true, 96, 512, 256, 0f, Deep));
        // The merge reads C too when beta ≠ 0: (95, 203, 600) pays only without it.
        Assert.Equal(vector512, TurnsAround(false, true, 95, 203, 600, 0f, Deep));
        Assert.False(TurnsAround(false, true, 95, 203, 600, 0.5f, Deep));
        // Turned, 48 columns of C would fill one and a half panels of 32.
        Assert.False(TurnsAround(false, true, 48, 512, 256, 0f, Deep));
        Assert.False(TurnsAround(false, true, 256, 64, 256, 0f, Deep));
        Assert.False(TurnsAround(false, false, 64, 256, 256, 0f, Deep));
        Assert.False(TurnsAround(true, true, 64, 256, 256, 0f, Deep));
        // AVX-512 double packs A wherever it lies: nothing to gain.
        Assert.False(TurnsAround(false, true, 64, 256, 256, 0d, PinnedBlocking.Blocks<double>(96, 1024, 1024)));
    }

    // In shallow blocks (KC 128, KCMax 160: the model's on Zen 4) a turned B is read in place, so turned around, only up
    // to KCMax: past it its rows would restart in runs of 512 bytes every block. In deep ones (runs of a 4 KiB page) at any depth.
    [Fact]
    public void InShallowBlocksTheRuleTurnsAroundOnlyWithinOneDepthBlock()
    {
        bool vector512 = SelectedPath == IsaPath.Vector512;
        BlockSizes shallow = PinnedBlocking.Blocks<float>(1536, 128, 7680);
        Assert.Equal(vector512, TurnsAround(false, true, 32, 512, 160, 0f, shallow));
        Assert.False(TurnsAround(false, true, 32, 512, 161, 0f, shallow));
        Assert.False(TurnsAround(false, true, 64, 256, 256, 0f, shallow));
        Assert.False(TurnsAround(false, true, 64, 256, 784, 1f, shallow));
        Assert.Equal(vector512, TurnsAround(false, true, 32, 512, 161, 0f, Deep));
    }

    // Blocks deeper than 536,870,911 floats span more bytes than an int holds: the rule's "at least a page" read a
    // negative byte count there and packed. Only tests set blocks that deep (BlockSizes.Use, the sizes given here);
    // FASTNN_GEMM_BLOCKING ignores them, as their working memory would fit no array for a deep enough call.
    [Fact]
    public void BlocksDeeperThanAnIntOfBytesAreReadInPlace()
    {
        BlockSizes deepest = PinnedBlocking.Blocks<float>(96, 600_000_000, 1024);
        Assert.Equal(SelectedPath == IsaPath.Vector512, TurnsAround(false, true, 32, 512, int.MaxValue, 0f, deepest));
    }

    // With beta = 0 the old C (NaN here) is never read, also through the transposed merge; the row padding stays.
    [Theory]
    [InlineData(64, 256, 256, 5)]
    [InlineData(95, 203, 600, 0)]
    public void ATurnedAroundProductNeverReadsTheOldCWhenBetaIsZero(int m, int n, int k, int padC)
    {
        var rng = new Random(m + n + k);
        int ldc = n + padC;
        float[] a = GemmAssert.Random(rng, m, k, k, 0f), b = GemmAssert.Random(rng, n, k, k, 0f);
        float[] c = Enumerable.Repeat(float.NaN, m * ldc).ToArray();
        float[] original = (float[])c.Clone();
        PinnedBlocking.Run<float>(Deep, () =>
        {
            Assert.Equal(SelectedPath == IsaPath.Vector512, TurnsAround(false, true, m, n, k, 0f));
            Multiply(false, true, m, n, k, 2f, a, k, b, k, 0f, c, ldc);
        });
        GemmAssert.Matches(false, true, m, n, k, 2f, a, k, b, k, 0f, original, c, ldc);
    }

    // A·Bᵀ turned around gives C the bits of the (n, m, k) product B·Aᵀ computed directly (which the rule leaves
    // as it is), transposed: each element sees the same products in the same order along k; only its tile differs.
    [Theory]
    [InlineData(64, 256, 256, 0.0)]
    [InlineData(95, 203, 1100, -0.75)]
    public void ATurnedAroundProductHasTheBitsOfTheTransposedProduct(int m, int n, int k, double beta)
    {
        var rng = new Random(n * 31 + m);
        float[] a = GemmAssert.Random(rng, m, k, k, 0f), b = GemmAssert.Random(rng, n, k, k, 0f);
        float[] c = GemmAssert.Random(rng, m, n, n, 0f);
        float[] cT = new float[n * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                cT[j * m + i] = c[i * n + j];

        PinnedBlocking.Run<float>(Deep, () =>
        {
            Assert.Equal(SelectedPath == IsaPath.Vector512, TurnsAround(false, true, m, n, k, (float)beta));
            Assert.False(TurnsAround(false, true, n, m, k, (float)beta));
            Multiply(false, true, m, n, k, 1.5f, a, k, b, k, (float)beta, c, n);
            Multiply(false, true, n, m, k, 1.5f, b, k, a, k, (float)beta, cT, m);
        });

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(GemmAssert.BitEquals(c[i * n + j], cT[j * m + i]), $"C[{i},{j}] = {c[i * n + j]}, (Cᵀ)[{j},{i}] = {cT[j * m + i]}");
    }
}
