using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

[Collection(ParallelismCollection.Name)]
public class WorkerPoolTests
{
    private sealed class RecordParts(int parts) : IParallelWork
    {
        public readonly int[] Runs = new int[parts];
        public readonly int[] Threads = new int[parts];
        public int SeenPartCount;

        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            SeenPartCount = partCount;
        }
    }

    private sealed class Throws(int failingPart) : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            if (part == failingPart)
                throw new InvalidOperationException($"part {part}");
        }
    }

    [Fact]
    public void EveryPartRunsExactlyOnceAndPartZeroOnTheCaller()
    {
        for (int parts = 1; parts <= 4; parts++)
        {
            for (int round = 0; round < 50; round++)
            {
                var work = new RecordParts(parts);
                WorkerPool.Run(work, parts);
                Assert.All(work.Runs, r => Assert.Equal(1, r));
                Assert.Equal(parts, work.SeenPartCount);
                Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AnExceptionInAPartReachesTheCallerAndThePoolStillWorks(int failingPart)
    {
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new Throws(failingPart), 2));
        Assert.Equal($"part {failingPart}", e.Message);
        var work = new RecordParts(2);
        WorkerPool.Run(work, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }

    /// <summary>Part 0 waits (up to 10 s) until part 1 has run, so part 1 can only run on another thread.</summary>
    private sealed class NeedsAWorker : IParallelWork
    {
        public int CallerThread, Part1Thread;
        public bool Part1OnBackgroundThread;
        private readonly ManualResetEventSlim _part1 = new();

        public void Execute(int part, int partCount)
        {
            if (part == 1)
            {
                Part1Thread = Environment.CurrentManagedThreadId;
                Part1OnBackgroundThread = Thread.CurrentThread.IsBackground;
                _part1.Set();
                return;
            }
            CallerThread = Environment.CurrentManagedThreadId;
            _part1.Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Part 0 holds its job open until released; part 1 returns at once.</summary>
    private sealed class HoldsThePool : IParallelWork
    {
        public readonly ManualResetEventSlim Started = new(), Release = new();

        public void Execute(int part, int partCount)
        {
            if (part != 0)
                return;
            Started.Set();
            Release.Wait(TimeSpan.FromSeconds(10));
        }
    }

    // A job that starts while another thread's job is still running gets a worker too (the pool used to run it
    // entirely on its caller's thread, single-threaded).
    [Fact]
    public void ASecondConcurrentCallerAlsoGetsAWorker()
    {
        if (Environment.ProcessorCount < 2)
            return;
        var first = new HoldsThePool();
        var firstCaller = new Thread(() => WorkerPool.Run(first, 2));
        firstCaller.Start();
        Assert.True(first.Started.Wait(TimeSpan.FromSeconds(10)));
        try
        {
            var second = new NeedsAWorker();
            WorkerPool.Run(second, 2);
            Assert.NotEqual(second.CallerThread, second.Part1Thread);
            Assert.NotEqual(0, second.Part1Thread);
        }
        finally
        {
            first.Release.Set();
            firstCaller.Join();
        }
    }

    // Many threads running jobs at once: every part of every job runs exactly once, part 0 on its caller.
    [Fact]
    public void ConcurrentCallersEachRunEveryPartOnce()
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Thread[] callers = [.. Enumerable.Range(0, 6).Select(t => new Thread(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                int parts = 2 + (round + t) % 3;
                var work = new RecordParts(parts);
                WorkerPool.Run(work, parts);
                if (work.Runs.Any(r => r != 1) || work.Threads[0] != Environment.CurrentManagedThreadId)
                    failures.Enqueue($"caller {t} round {round}: runs {string.Join(",", work.Runs)}");
            }
        }))];
        foreach (Thread c in callers)
            c.Start();
        foreach (Thread c in callers)
            c.Join();
        Assert.Empty(failures);
    }

    private sealed class Nested : IParallelWork
    {
        public readonly int[] InnerThreads = new int[3];
        public int OuterThread;

        public void Execute(int part, int partCount)
        {
            if (part != 1)
                return;
            OuterThread = Environment.CurrentManagedThreadId;
            var inner = new RecordParts(3);
            WorkerPool.Run(inner, 3);
            inner.Threads.CopyTo(InnerThreads, 0);
        }
    }

    [Fact]
    public void AJobStartedInsideAPartRunsOnThatPartsThread()
    {
        var nested = new Nested();
        WorkerPool.Run(nested, 2);
        Assert.All(nested.InnerThreads, t => Assert.Equal(nested.OuterThread, t));
    }

    // Creating a worker can throw (Thread.Start at the process's thread limit). Before: the job was published first and
    // stayed open after Run threw; the caller's next job reused its record, linked it to itself, and every claim of an
    // open job then spun forever.
    [Fact]
    public void AWorkerThatCannotBeCreatedLeavesNoJobOpen()
    {
        if (Environment.ProcessorCount < 2)
            return;
        Parallelism.StopWorkers();
        WorkerPool.BeforeWorkerCreated = () => throw new OutOfMemoryException("thread limit");
        try
        {
            var e = Assert.Throws<OutOfMemoryException>(() => WorkerPool.Run(new RecordParts(2), 2));
            Assert.Equal("thread limit", e.Message);
            Assert.False(WorkerPool.HasOpenJob());
        }
        finally
        {
            WorkerPool.BeforeWorkerCreated = null;
        }

        var work = new RecordParts(2);
        WorkerPool.Run(work, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
        Assert.True(WorkerPool.WorkerCount > 0);
    }

    // Workers never keep the process alive, stop on request (so a collectible load context can unload), and come back
    // for the next job.
    [Fact]
    public void WorkersAreBackgroundThreadsThatStopAndRestart()
    {
        if (Environment.ProcessorCount < 2)
            return;
        var probe = new NeedsAWorker();
        WorkerPool.Run(probe, 2);
        Assert.True(WorkerPool.WorkerCount > 0);
        Assert.NotEqual(probe.CallerThread, probe.Part1Thread);
        Assert.True(probe.Part1OnBackgroundThread);

        Parallelism.StopWorkers();
        Assert.Equal(0, WorkerPool.WorkerCount);

        var again = new NeedsAWorker();
        WorkerPool.Run(again, 2);
        Assert.NotEqual(again.CallerThread, again.Part1Thread);
        Assert.True(WorkerPool.WorkerCount > 0);
    }

    /// <summary>Parts 1.. record their threads and hold every worker until <see cref="Parallelism.StopWorkers"/> has asked them to stop.</summary>
    private sealed class HoldsEveryWorkerUntilStopped(int parts) : IParallelWork
    {
        public readonly Thread?[] Workers = new Thread?[parts];
        public int Started;

        public void Execute(int part, int partCount)
        {
            var spin = new SpinWait();
            if (part == 0)
            {
                while (Volatile.Read(ref Started) < partCount - 1)
                    spin.SpinOnce();
                return;
            }
            Workers[part] = Thread.CurrentThread;
            Interlocked.Increment(ref Started);
            // Stop empties the worker list as it asks each worker to stop (this collection runs alone: no other
            // caller starts workers meanwhile).
            while (WorkerPool.WorkerCount != 0)
                spin.SpinOnce();
        }
    }

    /// <summary>Part 0 opens the job and waits until part 1 has run or every held worker has exited; part 1 records its thread.</summary>
    private sealed class OpenWhileStopping(Thread?[] held) : IParallelWork
    {
        public readonly ManualResetEventSlim Open = new();
        public Thread? Part1;

        public void Execute(int part, int partCount)
        {
            if (part == 1)
            {
                Volatile.Write(ref Part1, Thread.CurrentThread);
                return;
            }
            Open.Set();
            var spin = new SpinWait();
            while (Volatile.Read(ref Part1) is null && held.Any(t => t is { IsAlive: true }))
                spin.SpinOnce();
        }
    }

    // A worker asked to stop takes no more parts: it kept claiming every job open when its part ended, so StopWorkers
    // waited for as long as other threads kept the pool busy (here a job opened while every worker was held ran its
    // part 1 on a worker being stopped).
    [Fact]
    public void AWorkerAskedToStopTakesNoFurtherParts()
    {
        if (Environment.ProcessorCount < 2)
            return;
        Parallelism.StopWorkers();
        int parts = Environment.ProcessorCount; // the caller and every worker the pool may have
        var hold = new HoldsEveryWorkerUntilStopped(parts);
        var holder = new Thread(() => WorkerPool.Run(hold, parts));
        holder.Start();
        var spin = new SpinWait();
        while (Volatile.Read(ref hold.Started) < parts - 1)
            spin.SpinOnce();

        // Every worker is busy: this job's part 1 stays open for its caller or a worker.
        var open = new OpenWhileStopping(hold.Workers);
        var opener = new Thread(() => WorkerPool.Run(open, 2));
        opener.Start();
        Assert.True(open.Open.Wait(TimeSpan.FromSeconds(30)));
        Parallelism.StopWorkers();
        Assert.True(opener.Join(TimeSpan.FromSeconds(30)) && holder.Join(TimeSpan.FromSeconds(30)), "a caller did not finish");

        Assert.NotNull(open.Part1);
        Assert.DoesNotContain(open.Part1, hold.Workers);
    }

    /// <summary>Part 1 records its thread and holds it until released; part 0 waits until part 1 has started, so part 1 runs on a worker.</summary>
    private sealed class HoldsAWorker : IParallelWork
    {
        public readonly ManualResetEventSlim Started = new(), Release = new();
        public Thread? Worker;

        public void Execute(int part, int partCount)
        {
            if (part == 0)
            {
                Started.Wait();
                return;
            }
            Worker = Thread.CurrentThread;
            Started.Set();
            Release.Wait();
        }
    }

    // Two threads stopping the pool at once: each returns only once the workers have exited. The second used to find
    // the worker list the first had emptied and return at once, its worker still running a part (a context about to
    // unload, or an application that counts on the workers being gone, was told so too early).
    [Fact]
    public void AStopThatMeetsAnotherWaitsForTheWorkersToExit()
    {
        if (Environment.ProcessorCount < 2)
            return;
        Parallelism.StopWorkers();
        var hold = new HoldsAWorker();
        var holder = new Thread(() => WorkerPool.Run(hold, 2));
        holder.Start();
        hold.Started.Wait();
        var first = new Thread(Parallelism.StopWorkers);
        first.Start();
        // The first stop has taken the workers (this collection runs alone: no other caller starts workers) and waits
        // for the held one.
        var spin = new SpinWait();
        while (WorkerPool.WorkerCount != 0)
            spin.SpinOnce();
        bool aliveAfterSecondStop = true;
        var second = new Thread(() =>
        {
            Parallelism.StopWorkers();
            aliveAfterSecondStop = hold.Worker!.IsAlive;
        });
        second.Start();
        // The held worker is released only once the second stop has returned or is waiting: returning earlier, it
        // finds the worker alive whatever the timing.
        while ((second.ThreadState & (ThreadState.Stopped | ThreadState.WaitSleepJoin)) == 0)
            spin.SpinOnce();
        hold.Release.Set();
        Assert.True(holder.Join(TimeSpan.FromSeconds(30)) && first.Join(TimeSpan.FromSeconds(30)) && second.Join(TimeSpan.FromSeconds(30)),
            "a thread did not finish");
        Assert.False(aliveAfterSecondStop, "the second StopWorkers returned while a worker was still running");
    }

    [Fact]
    public void StoppingFromInsideAPartIsRefused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new StopsThePool(), 2));
        Assert.Contains("inside a parallel part", e.Message);
    }

    private sealed class StopsThePool : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            if (part == 0)
                Parallelism.StopWorkers();
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("abc")]
    [InlineData("1 2")]
    [InlineData("99999999999")] // a positive integer past int: capped at every processor like any above it
    [InlineData("100000")]
    public void AFastnnNumThreadsValueThatIsNoCountWithinTheProcessorsGivesEveryProcessor(string? value) =>
        Assert.Equal(Environment.ProcessorCount, Parallelism.FromSetting(value));

    [Theory]
    [InlineData("1")]
    [InlineData(" 1 ")]
    [InlineData("+1")]
    public void AFastnnNumThreadsOfOneGivesOneThread(string value) => Assert.Equal(1, Parallelism.FromSetting(value));

    [Fact]
    public void MaxThreadsIsClampedToTheProcessorCount()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 0;
            Assert.Equal(1, Parallelism.MaxThreads);
            Parallelism.MaxThreads = int.MaxValue;
            Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
