namespace FastNN.Intrinsics;

/// <summary>How many threads FastNN's kernels may use, and the worker threads they run on.</summary>
/// <remarks>
/// <para>Initialised from the <c>FASTNN_NUM_THREADS</c> environment variable (like <c>OMP_NUM_THREADS</c>) when the
/// type is first used: a positive integer (surrounding white space allowed) caps the threads, at most every processor;
/// when it is absent or not a positive integer (0, negative, a fraction, text), every processor is used. Results never depend on this value: kernels split
/// work so that each output element is computed by the same operations in the same order whatever the count.</para>
/// <para>A large call (a GEMM, an element-wise pass or an optimizer step over many elements) runs on its calling
/// thread and on up to <see cref="MaxThreads"/> - 1 of FastNN's worker threads. Any number of threads may call
/// FastNN's kernels at once: they share the workers, each call running on its own thread and on whichever workers
/// are free, so concurrent calls never wait for each other and never change each other's results. The workers are
/// background threads, started on first need, at most one fewer than the processor count; they take nothing from the
/// call that starts them (its <see cref="AsyncLocal{T}"/> values, culture included, stay with its thread).</para>
/// <para>Thread-safe: every member may be called from any thread.</para>
/// </remarks>
public static class Parallelism
{
    private static int s_maxThreads = FromSetting(Environment.GetEnvironmentVariable("FASTNN_NUM_THREADS"));

    /// <summary>The most threads a kernel call uses, the calling thread included.</summary>
    /// <value>Always in [1, <see cref="Environment.ProcessorCount"/>]; a value set outside that range is clamped into it.</value>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set => Volatile.Write(ref s_maxThreads, Clamp(value));
    }

    /// <summary>
    /// Stops FastNN's worker threads and waits for them to exit: for an application, or a collectible
    /// <see cref="System.Runtime.Loader.AssemblyLoadContext"/> about to unload, that is done with FastNN. Each worker
    /// finishes the part it is running and takes no other, so calls already running finish on their own threads, and
    /// this returns even while other threads keep calling; a later parallel call starts workers again. Called from two
    /// threads at once, each returns once the workers either stopped have exited.
    /// </summary>
    /// <remarks>A collectible context in which FastNN has started workers unloads only once they have exited: call this
    /// before <see cref="System.Runtime.Loader.AssemblyLoadContext.Unload"/>, when no other thread will call FastNN
    /// again (a call would start new workers).</remarks>
    /// <exception cref="InvalidOperationException">Called from inside one of FastNN's parallel parts.</exception>
    public static void StopWorkers() => WorkerPool.Stop();

    /// <summary>The thread count a <c>FASTNN_NUM_THREADS</c> value gives (see the class remarks); null for none set.</summary>
    internal static int FromSetting(string? value) =>
        Clamp(int.TryParse(value, out int n) && n > 0 ? n : Environment.ProcessorCount);

    private static int Clamp(int n) => Math.Clamp(n, 1, Environment.ProcessorCount);
}
