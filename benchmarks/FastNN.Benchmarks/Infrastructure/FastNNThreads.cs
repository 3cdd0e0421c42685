namespace FastNN.Benchmarks.Infrastructure;

/// <summary>Sets the number of threads FastNN's kernels may use for the benchmark that follows.</summary>
internal static class FastNNThreads
{
    public static void Set(int threads)
    {
        // FastNN.Intrinsics.Parallelism (CONTRACTS.md) is not on main yet; until it is, FastNN runs on one thread.
        _ = threads;
    }
}
