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
    // calling threads kept 88 MB. Now the pool keeps at most one workspace per processor, whoever called.
    [Fact]
    public void ManyCallingThreadsKeepAtMostOneWorkspacePerProcessor()
    {
        Thread[] callers = [.. Enumerable.Range(0, 16).Select(_ => new Thread(() => Packed(1)))];
        foreach (Thread t in callers)
            t.Start();
        foreach (Thread t in callers)
            t.Join();
        // Each kept workspace is at most what the largest call needs, float or double.
        long bound = Environment.ProcessorCount * Math.Max(MaxWorkspaceBytes<float>(), MaxWorkspaceBytes<double>());
        Assert.InRange(WorkspacePool.KeptBytes, 1, bound);
        Assert.Equal(Math.Max(MaxWorkspaceBytes<float>(), MaxWorkspaceBytes<double>()), WorkspacePool.LargestNeed);
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
