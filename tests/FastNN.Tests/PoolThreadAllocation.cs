using System.Diagnostics;
using FastNN.Intrinsics;

namespace FastNN.Tests;

/// <summary>
/// Bytes allocated so far by the threads FastNN runs a call on: the calling thread and every worker of its pool, each
/// thread's own counter (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) read on that thread and summed.
/// </summary>
/// <remarks>
/// <para>A whole-process count (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) also sees the test host's threads, which
/// serialize and send the previous tests' results while a test runs: a trace of a failing TrainingMatrixTests run showed
/// a thread-pool thread inside Newtonsoft.Json (JsonTextWriter, JsonSerializerProxy, char buffers) allocating in each of
/// the three measured windows, and xunit's message thread (MessageHandler, MemoryStream) in others; no FastNN thread
/// allocated. FastNN runs its kernels on the calling thread and its own workers only (it starts no task, timer or
/// thread-pool item), so these counters together see every byte a call allocates, and nothing of the host's.</para>
/// <para>The counters are read by one job of as many parts as there are threads, each part waiting until all have
/// started: no thread can take two parts, so each worker's counter is read once and the caller's once. Allocates
/// nothing itself once its thread has run one pool job (<see cref="Least"/> runs one first).</para>
/// </remarks>
internal sealed class PoolThreadAllocation : IParallelWork
{
    private static readonly long Patience = Stopwatch.Frequency * 30;
    private readonly long[] _bytes = new long[Environment.ProcessorCount];
    private int _started;

    /// <summary>The sum of the calling thread's and every worker's allocated bytes, each read on its own thread.</summary>
    public long Read()
    {
        int parts = WorkerPool.WorkerCount + 1;
        _started = 0;
        WorkerPool.Run(this, parts);
        long sum = 0;
        for (int part = 0; part < parts; part++)
            sum += _bytes[part];
        return sum;
    }

    /// <summary>The least of <paramref name="windows"/> readings of the bytes one run of <paramref name="window"/> allocates on FastNN's threads.</summary>
    /// <remarks>The least, as <see cref="SteadyStateAllocation.Least"/> explains.</remarks>
    public long Least(int windows, Action window)
    {
        Read(); // a thread's first pool job allocates its job record
        long least = long.MaxValue;
        for (int i = 0; i < windows; i++)
        {
            long before = Read();
            window();
            least = Math.Min(least, Read() - before);
        }
        return least;
    }

    void IParallelWork.Execute(int part, int partCount)
    {
        _bytes[part] = GC.GetAllocatedBytesForCurrentThread();
        Interlocked.Increment(ref _started);
        long giveUp = Stopwatch.GetTimestamp() + Patience;
        var spin = new SpinWait();
        while (Volatile.Read(ref _started) < partCount)
        {
            if (Stopwatch.GetTimestamp() > giveUp)
                throw new TimeoutException($"Only {Volatile.Read(ref _started)} of {partCount} pool threads took a part of the allocation reading.");
            spin.SpinOnce();
        }
    }
}
