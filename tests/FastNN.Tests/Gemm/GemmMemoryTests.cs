using FastNN.Intrinsics;
using FastNN.Tests.Threading;
using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

/// <summary>The GEMM's working memory: bounded, not tied to threads, released on request and when unused.</summary>
[Collection(ParallelismCollection.Name)]
public class GemmMemoryTests
{
    private static void Packed(int threads)
    {
        // Past the small path on every ISA path, with A and B packed (both transposed).
        const int m = 300, n = 280, k = 260;
        float[] a = new float[k * m], b = new float[n * k], c = new float[m * n];
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            Multiply(true, true, m, n, k, 1f, a, m, b, k, 0f, c, n);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    // The old buffers were [ThreadStatic] and pinned about 5.5 MB per calling thread for good: sixteen short-lived
    // calling threads kept 88 MB. Now the pool keeps at most two workspaces per processor, whoever called.
    [Fact]
    public void ManyCallingThreadsKeepAtMostTwoWorkspacesPerProcessor()
    {
        Thread[] callers = [.. Enumerable.Range(0, 16).Select(_ => new Thread(() => Packed(1)))];
        foreach (Thread t in callers)
            t.Start();
        foreach (Thread t in callers)
            t.Join();
        // Each kept workspace is at most what the largest call needs, float or double.
        long bound = 2 * Environment.ProcessorCount * Math.Max(MaxWorkspaceBytes<float>(), MaxWorkspaceBytes<double>());
        Assert.InRange(WorkspacePool.KeptBytes, 1, bound);
        Assert.Equal(Math.Max(MaxWorkspaceBytes<float>(), MaxWorkspaceBytes<double>()), WorkspacePool.LargestNeed);
    }

    // Callers that each use every thread (two trainers on two threads, say) have up to callers + workers parts in
    // flight; with one kept workspace per processor the parts beyond it took a fresh workspace on every call (about
    // 0.9 MB per step of a 1024-wide MLP for the second of two concurrent trainers; 8 workspaces a round here). Up to one
    // more caller than processors, nothing is allocated.
    [Fact]
    public void ConcurrentCallersUsingEveryThreadAllocateNothing()
    {
        // A Dense 1024 -> 1024 layer's product at batch 128: split across every thread.
        const int m = 128, n = 1024, k = 1024, calls = 10;
        int callers = Environment.ProcessorCount + 1, saved = Parallelism.MaxThreads;
        // Rounds are started and awaited by spinning on counters.
        int round = 0, finished = 0;
        Thread[] threads = [.. Enumerable.Range(0, callers).Select(_ => new Thread(() =>
        {
            float[] a = new float[k * m], b = new float[n * k], c = new float[m * n];
            for (int seen = 0; ; seen++)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref round) == seen)
                    spin.SpinOnce();
                if (Volatile.Read(ref round) < 0)
                    return;
                for (int i = 0; i < calls; i++)
                    Multiply(true, true, m, n, k, 1f, a, m, b, k, 0f, c, n);
                Interlocked.Increment(ref finished);
            }
        }))];
        try
        {
            Parallelism.MaxThreads = Environment.ProcessorCount;
            foreach (Thread t in threads)
                t.Start();
            // The workspaces created in one round of calls, on any thread: a part's whole working memory (here a
            // megabyte or so each). Counted, not read off the process's allocated bytes, where the runtime's own
            // background work shows on the slower instruction-set paths (tens to hundreds of bytes a round).
            long Round()
            {
                long before = WorkspacePool.Created;
                Volatile.Write(ref finished, 0);
                Interlocked.Increment(ref round);
                var spin = new SpinWait();
                while (Volatile.Read(ref finished) < callers)
                    spin.SpinOnce();
                return WorkspacePool.Created - before;
            }
            Round(); // warm-up: the pool fills
            long least = long.MaxValue;
            for (int r = 0; r < 3; r++)
                least = Math.Min(least, Round());
            Assert.Equal(0, least);
        }
        finally
        {
            Volatile.Write(ref round, int.MinValue);
            foreach (Thread t in threads)
                t.Join();
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void ReleaseMemoryDropsEveryKeptWorkspaceAndCallsStillWork()
    {
        Packed(2);
        Assert.True(WorkspacePool.KeptBytes > 0);
        ReleaseMemory();
        Assert.Equal(0, WorkspacePool.KeptBytes);
        GemmPropertyTests.Check<float>(new GemmCase(300, 280, 260, true, true, 1, 2, 3, 1.5, 0.5, 7));
        Assert.True(WorkspacePool.KeptBytes > 0);
    }

    // A kept workspace too small for a call used to end the search: the call made a new workspace although a large
    // enough one was kept in a later slot. A caller reaches other slots than usual when a worker is slow to wake and
    // leaves it a second part, so this could make a steady training step allocate (one such step was seen creating a
    // 2 MiB workspace).
    [Fact]
    public void ARentTakesALargeEnoughKeptWorkspaceBeforeMakingOne()
    {
        ReleaseMemory();
        Workspace large = WorkspacePool.Rent(1 << 20), small = WorkspacePool.Rent(4096);
        Assert.True(small.Bytes < large.Bytes);
        // Returned from this thread, the small one goes first in its search order and the large one next.
        WorkspacePool.Return(small);
        WorkspacePool.Return(large);
        long created = WorkspacePool.Created;
        Workspace again = WorkspacePool.Rent(1 << 20);
        Assert.Same(large, again);
        Assert.Equal(created, WorkspacePool.Created);
        WorkspacePool.Return(again);
        ReleaseMemory();
    }

    // Kept workspaces that go unused through two full collections are freed.
    [Fact]
    public void UnusedWorkspacesAreFreedAfterTwoFullCollections()
    {
        Packed(1);
        Assert.True(WorkspacePool.KeptBytes > 0);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(0, WorkspacePool.KeptBytes);
    }
}
