namespace FastNN.Tests;

/// <summary>Bytes that code allocates on the calling thread in steady state, for the zero-allocation tests.</summary>
/// <remarks>
/// The least count over several windows of the same work. An allocation per call shows in every window; a one-off
/// shows in one only. Such one-offs of 7.6-8 KB were seen in about 1 of 20 whole-suite runs, each time in a different
/// test (single-threaded GEMM, threaded AdamW), never when the test ran alone. Their source, FastNN or the runtime, is
/// not pinned down; reading the least window keeps these tests able to fail on any per-call allocation without making
/// CI flaky.
/// </remarks>
internal static class SteadyStateAllocation
{
    /// <summary>The least of <paramref name="windows"/> readings of the bytes one run of <paramref name="window"/> allocates.</summary>
    public static long Least(int windows, Action window)
    {
        long least = long.MaxValue;
        for (int i = 0; i < windows; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
