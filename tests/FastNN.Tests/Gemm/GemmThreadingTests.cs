using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Tests.Threading;
using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

[Collection(ParallelismCollection.Name)]
public class GemmThreadingTests
{
    // Wide (split by columns), tall (split by rows), one that also spans several KC blocks, and short ones.
    [Theory]
    [InlineData(200, 300, 150, false, true)]
    [InlineData(700, 40, 100, true, false)]
    [InlineData(90, 250, 1300, false, false)]
    // Short: unpacked on one thread, packed on two, the same arithmetic either way (short only where k fits one
    // depth block: in the deep blocks pinned below on every machine, in this machine's blocks perhaps).
    [InlineData(64, 784, 256, false, false)]
    [InlineData(50, 300, 384, true, false)]
    // The dot-product path: short (split by strips of columns) and narrow (fewer strips than threads: split by rows).
    [InlineData(8, 700, 600, false, true)]
    [InlineData(1000, 2, 1000, false, true)]
    public void ResultsAreBitIdenticalForOneAndTwoThreads(int m, int n, int k, bool transposeA, bool transposeB)
    {
        SameBits<float>(m, n, k, transposeA, transposeB);
        SameBits<double>(m, n, k, transposeA, transposeB);
        // Again in the Zen overrides' blocks of AVX-512 float (KC 1024), whatever this machine derives.
        PinnedBlocking.Run<float>(PinnedBlocking.Blocks<float>(96, 1024, 1024), () => SameBits<float>(m, n, k, transposeA, transposeB));
        PinnedBlocking.Run<double>(PinnedBlocking.Blocks<double>(96, 1024, 1024), () => SameBits<double>(m, n, k, transposeA, transposeB));
    }

    // A large product split by rows on two threads (75 row tiles of 8, 2 column tiles: the row split), several
    // depth blocks deep: each part runs the whole depth loop on its rows, so any change to the order in which a part
    // reduces k (its own block sizes, a split of k, another summation) shows here as differing bits. Pinned to blocks of
    // KC 256 (Ice Lake's and Zen 5's model), three deep at k = 700, whatever this machine derives (the Zen overrides'
    // KC 1024 would take it in one).
    [Fact]
    public void ALargeRowSplitProductIsBitIdenticalForOneAndTwoThreads() =>
        PinnedBlocking.Run<float>(PinnedBlocking.Blocks<float>(96, 256, 1024), () => SameBits<float>(600, 64, 700, false, false));

    private static void SameBits<T>(int m, int n, int k, bool transposeA, bool transposeB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        (int aRows, int aCols) = transposeA ? (k, m) : (m, k);
        (int bRows, int bCols) = transposeB ? (n, k) : (k, n);
        T[] a = GemmAssert.Random(rng, aRows, aCols, aCols, T.Zero), b = GemmAssert.Random(rng, bRows, bCols, bCols, T.Zero);
        T[] c0 = GemmAssert.Random(rng, m, n, n, T.Zero);
        T[] one = (T[])c0.Clone(), two = (T[])c0.Clone();
        T alpha = T.CreateChecked(1.25), beta = T.CreateChecked(0.5);
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            Multiply(transposeA, transposeB, m, n, k, alpha, a, aCols, b, bCols, beta, one, n);
            Parallelism.MaxThreads = 2;
            Multiply(transposeA, transposeB, m, n, k, alpha, a, aCols, b, bCols, beta, two, n);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
        for (int i = 0; i < one.Length; i++)
            Assert.True(GemmAssert.BitEquals(one[i], two[i]), $"element {i}: {one[i]} with 1 thread, {two[i]} with 2");
        GemmAssert.Matches(transposeA, transposeB, m, n, k, alpha, a, aCols, b, bCols, beta, c0, two, n);
    }

    // Small path, packed single-block, packed multi-block with every transpose.
    private static readonly (int M, int N, int K, bool TransposeA, bool TransposeB)[] AllocationShapes =
    [
        (64, 10, 256, false, true), (30, 40, 20, true, true), (64, 256, 784, false, true),
        (256, 300, 64, true, false), (100, 200, 500, false, false), (130, 140, 150, true, true),
    ];

    [Fact]
    public void OneThreadAllocatesNothing()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            long allocated = AllocatedBy(GC.GetAllocatedBytesForCurrentThread);
            Assert.Equal(0, allocated);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void TwoThreadsAllocateNothing()
    {
        if (Environment.ProcessorCount < 2)
            return; // no worker to probe
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 2;
            // Every pool thread's own counter, read on that thread (a whole-process count would also see the test
            // host's threads).
            long allocated = AllocatedBy(new PoolThreadAllocation().Read);
            Assert.Equal(0, allocated);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    /// <summary>
    /// Bytes the counter advances over 50 rounds of every shape, float and double, after two warm-up rounds: the least
    /// of three such windows, as <see cref="SteadyStateAllocation"/> explains.
    /// </summary>
    private static long AllocatedBy(Func<long> counter)
    {
        var floats = AllocationShapes.Select(s => Operands<float>(s.M, s.N, s.K)).ToArray();
        var doubles = AllocationShapes.Select(s => Operands<double>(s.M, s.N, s.K)).ToArray();
        Round(floats, doubles);
        Round(floats, doubles);
        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = counter();
            for (int i = 0; i < 50; i++)
                Round(floats, doubles);
            least = Math.Min(least, counter() - before);
        }
        return least;
    }

    private static void Round((float[] A, float[] B, float[] C)[] floats, (double[] A, double[] B, double[] C)[] doubles)
    {
        for (int s = 0; s < AllocationShapes.Length; s++)
        {
            (int m, int n, int k, bool ta, bool tb) = AllocationShapes[s];
            Multiply(ta, tb, m, n, k, 1f, floats[s].A, ta ? m : k, floats[s].B, tb ? k : n, 0.5f, floats[s].C, n);
            Multiply(ta, tb, m, n, k, 1.0, doubles[s].A, ta ? m : k, doubles[s].B, tb ? k : n, 0.5, doubles[s].C, n);
        }
    }

    private static (T[] A, T[] B, T[] C) Operands<T>(int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(m);
        return (GemmAssert.Random(rng, m, k, k, T.Zero), GemmAssert.Random(rng, k, n, n, T.Zero), GemmAssert.Random(rng, m, n, n, T.Zero));
    }
}
