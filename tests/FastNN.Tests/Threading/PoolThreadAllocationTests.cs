using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

/// <summary>
/// The allocation reading of the zero-allocation tests: it counts what the calling thread and FastNN's workers
/// allocate, and nothing that another thread of the process (the test host's) allocates at the same time.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class PoolThreadAllocationTests
{
    // The allocations below are arrays of a length read from a field and kept in a field: the JIT may place an array
    // of constant length that dies at once on the stack, and then nothing is allocated.
    private static int s_length = 1000;
    private static volatile object? s_kept;

    /// <summary>Part 1 allocates on a worker: part 0, on the caller, waits until another thread has taken it.</summary>
    private sealed class AllocatesOnAWorker : IParallelWork
    {
        private int _part1Done;

        public void Execute(int part, int partCount)
        {
            if (part == 1)
            {
                s_kept = new byte[s_length];
                Volatile.Write(ref _part1Done, 1);
                return;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _part1Done) == 0)
                spin.SpinOnce();
            _part1Done = 0;
        }
    }

    [Fact]
    public void AnAllocationOnAWorkerIsCounted()
    {
        if (Environment.ProcessorCount < 2)
            return; // no worker
        var work = new AllocatesOnAWorker();
        WorkerPool.Run(work, 2);
        Assert.True(WorkerPool.WorkerCount > 0);
        long least = new PoolThreadAllocation().Least(3, () => WorkerPool.Run(work, 2));
        Assert.InRange(least, s_length, s_length + 100); // the array's header is tens of bytes
    }

    [Fact]
    public void AnAllocationOnTheCallingThreadIsCounted()
    {
        long least = new PoolThreadAllocation().Least(3, () => s_kept = new byte[s_length]);
        Assert.InRange(least, s_length, s_length + 100);
    }

    // The test host's threads send results while a test runs; a thread of that kind allocates throughout the window here.
    [Fact]
    public void AnotherThreadsAllocationsAreNotCounted()
    {
        long otherBytes = 0; // the other thread's own count, published after each allocation
        bool stop = false;
        var other = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                s_kept = new byte[s_length];
                Volatile.Write(ref otherBytes, GC.GetAllocatedBytesForCurrentThread());
            }
        });
        other.Start();
        try
        {
            var nothing = new AllocatesNothing();
            long processWide = long.MaxValue;
            void Window()
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                // Two more arrays published after this read: the second was allocated after it, inside the window.
                long start = Volatile.Read(ref otherBytes);
                while (Volatile.Read(ref otherBytes) < start + 2 * s_length)
                    WorkerPool.Run(nothing, 2);
                processWide = Math.Min(processWide, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.Equal(0, new PoolThreadAllocation().Least(3, Window));
            Assert.True(processWide >= s_length, $"a whole-process count sees the other thread's arrays: {processWide} bytes");
        }
        finally
        {
            Volatile.Write(ref stop, true);
            other.Join();
        }
    }

    private sealed class AllocatesNothing : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
        }
    }
}
