namespace FastNN.Benchmarks.Infrastructure;

/// <summary>Splits [0, length) into one contiguous part per thread, for the baselines that have no pool of their own.</summary>
/// <remarks>Parallel.For allocates a little per call: fine for baselines and probes, never used for FastNN itself.</remarks>
internal static class Partitioned
{
    public static void Run(int length, int threads, Action<int, int> body)
    {
        if (threads <= 1)
        {
            body(0, length);
            return;
        }
        int part = length / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int start = t * part;
            body(start, t == threads - 1 ? length - start : part);
        });
    }
}
