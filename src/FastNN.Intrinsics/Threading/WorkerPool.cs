using System.Runtime.ExceptionServices;

namespace FastNN.Intrinsics;

/// <summary>Persistent worker threads that run the parts of an <see cref="IParallelWork"/>.</summary>
/// <remarks>
/// Part 0 runs on the calling thread, parts 1..partCount-1 on background workers created on first need and kept
/// for the life of the process. A run allocates nothing. One run uses the pool at a time; a run that finds the pool
/// busy (another thread's run, or a run nested inside a part) executes all its parts on its own thread instead,
/// which gives the same results because parts are independent.
/// </remarks>
internal static class WorkerPool
{
    private static readonly Lock s_runLock = new();
    private static Worker[] s_workers = [];

    // The current run: written by the caller under s_runLock before the workers are released.
    private static IParallelWork? s_work;
    private static int s_partCount;
    private static int s_pending;
    private static Exception? s_failure;
    private static readonly ManualResetEventSlim s_done = NewEvent();

    // Wake-up latency matters more than a few microseconds of spinning: GEMM parts last tens of microseconds and up.
    private const int SpinCount = 2000;

    /// <summary>Runs parts 0..<paramref name="partCount"/>-1 of <paramref name="work"/> and returns when all have finished.</summary>
    /// <remarks>An exception thrown by a part is rethrown here after every part has finished.</remarks>
    public static void Run(IParallelWork work, int partCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partCount);
        if (partCount == 1 || !s_runLock.TryEnter())
        {
            for (int part = 0; part < partCount; part++)
                work.Execute(part, partCount);
            return;
        }
        try
        {
            EnsureWorkers(partCount - 1);
            s_work = work;
            s_partCount = partCount;
            s_failure = null;
            s_pending = partCount - 1;
            s_done.Reset();
            for (int part = 1; part < partCount; part++)
                s_workers[part - 1].Start(part);

            Exception? mine = null;
            try
            {
                work.Execute(0, partCount);
            }
            catch (Exception e)
            {
                mine = e;
            }
            s_done.Wait();
            s_work = null;
            Exception? failure = mine ?? s_failure;
            if (failure is not null)
                ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            s_runLock.Exit();
        }
    }

    /// <summary>
    /// An event that has already blocked once: ManualResetEventSlim allocates its monitor object the first time a
    /// wait outlasts the spinning, which would otherwise happen during some later run and break "allocates nothing".
    /// </summary>
    private static ManualResetEventSlim NewEvent()
    {
        var e = new ManualResetEventSlim(false, SpinCount);
        e.Wait(1);
        return e;
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count)
            return;
        var workers = new Worker[count];
        s_workers.CopyTo(workers, 0);
        for (int i = s_workers.Length; i < count; i++)
            workers[i] = new Worker(i + 1);
        s_workers = workers;
    }

    private static void Finish(Exception? failure)
    {
        if (failure is not null)
            Interlocked.CompareExchange(ref s_failure, failure, null);
        if (Interlocked.Decrement(ref s_pending) == 0)
            s_done.Set();
    }

    /// <summary>One background thread waiting for parts to run.</summary>
    private sealed class Worker
    {
        private readonly ManualResetEventSlim _start = NewEvent();
        private int _part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"FastNN worker {index}" };
            thread.Start();
        }

        public void Start(int part)
        {
            _part = part;
            _start.Set();
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                Exception? failure = null;
                try
                {
                    s_work!.Execute(_part, s_partCount);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                Finish(failure);
            }
        }
    }
}
