using System.Runtime.CompilerServices;
using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

/// <summary>
/// A worker thread takes nothing from the caller whose job happened to start it: it used to capture that caller's
/// <see cref="ExecutionContext"/> (its <see cref="AsyncLocal{T}"/> values: a request's context, a trace's current
/// activity, a culture set on it) and keep it for the life of the process, seen by every later job's parts on that
/// worker and holding whatever it referenced alive.
/// </summary>
[Collection(ParallelismCollection.Name)] // stops the workers and starts them again
public class WorkerContextTests
{
    private static readonly AsyncLocal<object?> s_callersValue = new();

    /// <summary>Part 0 waits until part 1 has run, so part 1 runs on a worker; part 1 records what it sees of the caller's value.</summary>
    private sealed class SeesTheCallersValue : IParallelWork
    {
        private readonly ManualResetEventSlim _part1 = new();
        public bool Part1OnAWorker, SawAValue;

        public void Execute(int part, int partCount)
        {
            if (part == 0)
            {
                _part1.Wait();
                return;
            }
            Part1OnAWorker = Thread.CurrentThread.IsBackground && Thread.CurrentThread.Name?.StartsWith("FastNN worker", StringComparison.Ordinal) == true;
            SawAValue = s_callersValue.Value is not null;
            _part1.Set();
        }
    }

    [Fact]
    public void AWorkerKeepsNothingOfTheCallerThatStartedIt()
    {
        if (Environment.ProcessorCount < 2)
            return;
        Parallelism.StopWorkers();
        (WeakReference held, SeesTheCallersValue starting) = StartWorkersHoldingAValue();
        Assert.True(starting.Part1OnAWorker, "part 1 did not run on a worker");
        Assert.False(starting.SawAValue, "a worker's part saw the AsyncLocal value of the caller that started it");

        // A later job from a thread without the value: its part on the same worker sees none either.
        var later = new SeesTheCallersValue();
        WorkerPool.Run(later, 2);
        Assert.False(later.SawAValue, "a later job's part on the worker saw the value of the caller that started it");

        for (int i = 0; i < 5 && held.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(held.IsAlive, "the workers keep alive an object the caller that started them held in an AsyncLocal");
    }

    /// <summary>On a thread of its own that sets the value and then ends, starts the workers with a job; the value's object, weakly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // nothing of the value may stay on the test's stack
    private static (WeakReference Held, SeesTheCallersValue Work) StartWorkersHoldingAValue()
    {
        WeakReference? held = null;
        var work = new SeesTheCallersValue();
        var caller = new Thread(() =>
        {
            object value = new();
            held = new WeakReference(value);
            s_callersValue.Value = value;
            WorkerPool.Run(work, 2);
        });
        caller.Start();
        caller.Join();
        return (held!, work);
    }
}
