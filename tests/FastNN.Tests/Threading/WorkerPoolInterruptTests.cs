using System.Reflection;
using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

/// <summary>
/// A caller interrupted (<see cref="Thread.Interrupt"/>) during a parallel call: the call still ends only after every
/// part has (the parts use the caller's buffers), and the interrupt stays pending for the caller's next wait.
/// </summary>
[Collection(ParallelismCollection.Name)] // holds a worker
public class WorkerPoolInterruptTests
{
    /// <summary>
    /// Part 1, on a worker, interrupts the caller once part 0 has returned (so the interrupt lands in the pool's wait,
    /// not in part 0's own), then holds on (up to a second) until the caller's Run has ended.
    /// </summary>
    private sealed class InterruptsItsCaller(Thread caller) : IParallelWork
    {
        public readonly ManualResetEventSlim RunEnded = new();
        public volatile bool Part1Started, Part0Returned, Part1Finished;

        public void Execute(int part, int partCount)
        {
            var spin = new SpinWait();
            if (part == 0)
            {
                while (!Part1Started)
                    spin.SpinOnce();
                Part0Returned = true;
                return;
            }
            Part1Started = true;
            while (!Part0Returned)
                spin.SpinOnce();
            caller.Interrupt();
            // The bound only keeps the test short once fixed: Run must not end before this part whatever the wait.
            RunEnded.Wait(TimeSpan.FromSeconds(1));
            Part1Finished = true;
        }
    }

    // Run returned (by the interrupt's exception) while part 1 still ran on a worker: a GEMM's caller would unpin
    // the spans that part was writing, and reuse its job record for the next call.
    [Fact]
    public void AnInterruptedCallerWaitsForEveryPartAndKeepsTheInterrupt()
    {
        if (Environment.ProcessorCount < 2)
            return;
        bool finishedWhenRunEnded = false, runThrew = false, interruptKept = false;
        var caller = new Thread(() =>
        {
            var work = new InterruptsItsCaller(Thread.CurrentThread);
            try
            {
                WorkerPool.Run(work, 2);
            }
            catch (ThreadInterruptedException)
            {
                runThrew = true;
            }
            finishedWhenRunEnded = work.Part1Finished;
            work.RunEnded.Set();
            try
            {
                Thread.Sleep(1);
            }
            catch (ThreadInterruptedException)
            {
                interruptKept = true;
            }
        });
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "the caller did not finish");
        Assert.True(finishedWhenRunEnded, "Run ended while a part was still running");
        Assert.False(runThrew);
        Assert.True(interruptKept, "the interrupt was lost");
    }

    /// <summary>
    /// Part 0, on the caller, interrupts its own thread (the interrupt stays pending: nothing blocks) and returns once
    /// part 1, on a worker, holds the pool's lock, which it keeps a while, so that the caller's claim of part 2 waits for it.
    /// </summary>
    private sealed class HoldsThePoolLock : IParallelWork
    {
        private static readonly Lock PoolLock = (Lock)typeof(WorkerPool).GetField("s_lock", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        public volatile bool LockHeld;
        public int Finished;

        public void Execute(int part, int partCount)
        {
            var spin = new SpinWait();
            if (part == 0)
            {
                Thread.CurrentThread.Interrupt();
                // A busy wait only: SpinWait.SpinOnce yields through Thread.Sleep(0), which throws the pending interrupt
                // inside this part whenever the worker is slow to take part 1 (under a loaded CI run, every time).
                while (!LockHeld)
                    Thread.SpinWait(64);
            }
            else if (part == 1)
            {
                lock (PoolLock)
                {
                    LockHeld = true;
                    var held = System.Diagnostics.Stopwatch.StartNew();
                    while (held.ElapsedMilliseconds < 200)
                        spin.SpinOnce(sleep1Threshold: -1);
                }
            }
            Interlocked.Increment(ref Finished);
        }
    }

    // The caller's claim of its next part waits for the pool's lock, and a wait for a lock is interrupted too: Run threw
    // ThreadInterruptedException there, before part 2 was claimed and while part 1 ran, skipping the wait for every part.
    [Fact]
    public void ACallerInterruptedWhileClaimingAPartStillRunsAndWaitsForEveryPart()
    {
        if (Environment.ProcessorCount < 2)
            return;
        int finishedWhenRunEnded = -1;
        bool runThrew = false, interruptKept = false;
        var caller = new Thread(() =>
        {
            var work = new HoldsThePoolLock();
            try
            {
                WorkerPool.Run(work, 3);
            }
            catch (ThreadInterruptedException)
            {
                runThrew = true;
            }
            finishedWhenRunEnded = Volatile.Read(ref work.Finished);
            try
            {
                Thread.Sleep(1);
            }
            catch (ThreadInterruptedException)
            {
                interruptKept = true;
            }
        });
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "the caller did not finish");
        Assert.False(runThrew, "Run threw the interrupt while claiming a part");
        Assert.Equal(3, finishedWhenRunEnded);
        Assert.True(interruptKept, "the interrupt was lost");
    }
}
