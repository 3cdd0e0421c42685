namespace FastNN.Intrinsics;

/// <summary>How many threads FastNN's kernels may use.</summary>
/// <remarks>
/// Initialised from the <c>FASTNN_NUM_THREADS</c> environment variable (like <c>OMP_NUM_THREADS</c>); when it is
/// absent or not a positive integer, every processor is used. Results never depend on this value: kernels split
/// work so that each output element is computed by the same operations in the same order whatever the count.
/// <para>Thread-safe: every member may be called from any thread.</para>
/// </remarks>
public static class Parallelism
{
    private static int s_maxThreads = Clamp(ParseEnvironment());

    /// <summary>The most threads a kernel call uses, the calling thread included.</summary>
    /// <value>Always in [1, <see cref="Environment.ProcessorCount"/>]; a value set outside that range is clamped into it.</value>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set => Volatile.Write(ref s_maxThreads, Clamp(value));
    }

    private static int ParseEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("FASTNN_NUM_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    private static int Clamp(int n) => Math.Clamp(n, 1, Environment.ProcessorCount);
}
