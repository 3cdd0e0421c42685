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
}
