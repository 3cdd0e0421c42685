using System.Runtime.ExceptionServices;

namespace FastNN.Intrinsics;

/// <summary>Persistent worker threads that run the parts of <see cref="IParallelWork"/> jobs for any number of callers.</summary>
/// <remarks>
/// <para>A caller runs part 0 itself, publishes the rest and wakes as many idle workers as parts remain; it then
/// claims parts like the workers do until none is left, and waits for those still running elsewhere. Concurrent
/// callers share the workers: every job runs on its caller's thread and on whichever workers are free, so a second
/// caller is never turned away, and a worker that wakes late costs its parts to the others instead of stalling the
/// job. Parts are independent and each one does the same work wherever it runs, so results do not depend on how the
/// parts fell. A job started inside a part (nested) runs all its parts on that part's thread.</para>
/// <para>Workers are background threads (they never keep a process alive) without the creating caller's
/// <see cref="ExecutionContext"/>, created on first need, at most
/// <see cref="Environment.ProcessorCount"/> - 1 of them, and kept until <see cref="Stop"/>; a later job starts them
/// again. A run allocates nothing once its thread has run one job.</para>
/// </remarks>
internal static class WorkerPool
{
    // Guards the job list, every claim of a part and the worker array. Claims are few (a part lasts tens of
    // microseconds at least), so the lock is rarely contended.
    private static readonly Lock s_lock = new();
    private static Job? s_open;          // jobs with unclaimed parts, linked through Job.Next
    private static Worker[] s_workers = [];
    // Held by a stop until its workers have exited: a second stop meanwhile found the list emptied by the first and
    // returned while those workers still ran. Workers and jobs never take it, so waiting under it cannot deadlock.
    private static readonly Lock s_stopping = new();

    [ThreadStatic] private static Job? t_job;
    [ThreadStatic] private static bool t_inPart;
    [ThreadStatic] private static bool t_callingThreadOnly; // see OnCallingThread

    // Wake-up latency matters more than a few microseconds of spinning: GEMM parts last tens of microseconds and up.
    private const int SpinCount = 2000;

    /// <summary>Runs parts 0..<paramref name="partCount"/>-1 of <paramref name="work"/> and returns when all have finished.</summary>
    /// <remarks>An exception thrown by a part is rethrown here after every part has finished. An interrupt
    /// (<see cref="Thread.Interrupt"/>) of the caller while it claims its parts (a wait for the pool's lock) or waits for
    /// parts still running elsewhere does not end the call: it stays pending for the caller's next blocking wait.</remarks>
    public static void Run(IParallelWork work, int partCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partCount);
        if (partCount == 1 || t_inPart || t_callingThreadOnly)
        {
            for (int part = 0; part < partCount; part++)
                work.Execute(part, partCount);
            return;
        }

        Job job = t_job ??= new Job();
        job.Start(work, partCount);
        lock (s_lock)
        {
            // Workers first: creating one may throw (the thread limit), and a job published by then would stay open
            // after Run threw, to be linked to itself by the caller's next job, which reuses its record.
            CreateWorkers(partCount - 1);
            job.Next = s_open;
            s_open = job;
            WakeIdleWorkers(partCount - 1);
        }
        bool interrupted = false;
        t_inPart = true;
        try
        {
            job.Execute(0);
            while (TryClaim(job, ref interrupted, out int part))
                job.Execute(part);
        }
        finally
        {
            t_inPart = false;
        }
        job.WaitForAll(interrupted);
    }

    /// <summary>
    /// Until the scope is disposed, every job this thread starts runs all its parts on this thread, as a nested job
    /// does: for a caller whose promise is to run on its own thread only (<c>Predictor</c>, whose throughput comes from
    /// concurrent callers). Results are the same bits either way; scopes may nest.
    /// </summary>
    internal static CallingThreadScope OnCallingThread()
    {
        var scope = new CallingThreadScope(t_callingThreadOnly);
        t_callingThreadOnly = true;
        return scope;
    }

    /// <summary>The scope of <see cref="OnCallingThread"/>; disposing it restores what the thread did before.</summary>
    internal readonly ref struct CallingThreadScope(bool outer)
    {
        public void Dispose() => t_callingThreadOnly = outer;
    }

    /// <summary>
    /// Stops the workers and waits for them to exit, for an application (or a collectible load context) that is done
    /// with FastNN: each finishes the part it is running and takes no other, so jobs in flight finish on their callers'
    /// threads or on workers a later job starts. A stop that meets another waits for the workers that one is stopping.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from inside a part of a job.</exception>
    public static void Stop()
    {
        if (t_inPart)
            throw new InvalidOperationException("The worker pool cannot be stopped from inside a parallel part.");
        lock (s_stopping)
        {
            Worker[] workers;
            lock (s_lock)
            {
                workers = s_workers;
                s_workers = [];
                foreach (Worker w in workers)
                    w.RequestStop();
            }
            foreach (Worker w in workers)
                w.Join();
        }
    }

    /// <summary>
    /// For tests: called before each worker is created, under the pool's lock. A test makes it throw to stand for
    /// <see cref="Thread.Start()"/> failing at the process's thread limit (an <see cref="OutOfMemoryException"/>), which
    /// no test can provoke safely. Null otherwise.
    /// </summary>
    internal static Action? BeforeWorkerCreated;

    /// <summary>Workers alive now (for tests).</summary>
    internal static int WorkerCount
    {
        get
        {
            lock (s_lock)
                return s_workers.Length;
        }
    }

    /// <summary>Creates workers until there are <paramref name="count"/>, or the processor count - 1. Under s_lock.</summary>
    private static void CreateWorkers(int count)
    {
        int wanted = Math.Min(count, Environment.ProcessorCount - 1);
        if (s_workers.Length >= wanted)
            return;
        var workers = new Worker[wanted];
        s_workers.CopyTo(workers, 0);
        int created = s_workers.Length;
        try
        {
            for (; created < wanted; created++)
            {
                BeforeWorkerCreated?.Invoke();
                workers[created] = new Worker(created + 1);
            }
        }
        finally
        {
            // The workers created before one failed are kept, so that Stop reaches their threads.
            s_workers = created == wanted ? workers : workers[..created];
        }
    }

    /// <summary>Wakes up to <paramref name="count"/> idle workers. Under s_lock.</summary>
    private static void WakeIdleWorkers(int count)
    {
        int woken = 0;
        foreach (Worker w in s_workers)
        {
            if (woken == count)
                break;
            if (w.TryWake())
                woken++;
        }
    }

    /// <summary>Claims the next part of <paramref name="job"/>, or returns false when all are claimed.</summary>
    /// <remarks>A wait for the lock ends with <see cref="ThreadInterruptedException"/> when the caller is interrupted, as
    /// any blocking wait does: thrown out of Run, it left parts unclaimed or running on the caller's buffers. It is taken
    /// (<paramref name="interrupted"/>) and the claim tried again; the wait for every part gives it back.</remarks>
    private static bool TryClaim(Job job, ref bool interrupted, out int part)
    {
        while (true)
        {
            try
            {
                lock (s_lock)
                {
                    part = job.Claimed;
                    if (part == job.PartCount)
                        return false;
                    job.Claimed++;
                    if (job.Claimed == job.PartCount)
                        Unlink(job);
                    return true;
                }
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>Claims a part of any open job (the oldest first), or returns false when none has one left.</summary>
    private static bool TryClaimAny(out Job? job, out int part)
    {
        lock (s_lock)
        {
            // The list is newest first; its tail is the oldest job.
            job = s_open;
            while (job?.Next is not null)
                job = job.Next;
            if (job is null)
            {
                part = 0;
                return false;
            }
            part = job.Claimed++;
            if (job.Claimed == job.PartCount)
                Unlink(job);
            return true;
        }
    }

    /// <summary>Whether a job has parts left to claim (also for tests).</summary>
    internal static bool HasOpenJob()
    {
        lock (s_lock)
            return s_open is not null;
    }

    /// <summary>Removes a fully claimed job from the open list. Under s_lock.</summary>
    private static void Unlink(Job job)
    {
        if (s_open == job)
        {
            s_open = job.Next;
        }
        else
        {
            Job? j = s_open;
            while (j is not null && j.Next != job)
                j = j.Next;
            if (j is not null)
                j.Next = job.Next;
        }
        job.Next = null;
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

    /// <summary>One caller's job in flight; one per calling thread, reused from job to job.</summary>
    private sealed class Job
    {
        public Job? Next;          // in the open list; under s_lock
        public int Claimed;        // parts handed out; under s_lock
        public int PartCount;
        private IParallelWork? _work;
        private int _unfinished;
        private Exception? _failure;
        private readonly ManualResetEventSlim _done = NewEvent();

        /// <summary>Part 0 is claimed by the caller from the start.</summary>
        public void Start(IParallelWork work, int partCount)
        {
            _work = work;
            PartCount = partCount;
            Claimed = 1;
            _failure = null;
            _unfinished = partCount;
            _done.Reset();
        }

        public void Execute(int part)
        {
            try
            {
                _work!.Execute(part, PartCount);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            if (Interlocked.Decrement(ref _unfinished) == 0)
                _done.Set();
        }

        /// <summary>Waits until every part has finished, then rethrows a part's exception.</summary>
        /// <remarks>Parts running elsewhere use the caller's buffers (pinned only while Run lasts) and this job record,
        /// so the caller may not leave early even when interrupted (<see cref="Thread.Interrupt"/>): it keeps waiting,
        /// then interrupts itself again (also when <paramref name="interrupted"/> says an interrupt was taken before
        /// the wait) so that its next blocking wait still throws.</remarks>
        public void WaitForAll(bool interrupted)
        {
            while (true)
            {
                try
                {
                    _done.Wait();
                    break;
                }
                catch (ThreadInterruptedException)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
                Thread.CurrentThread.Interrupt();
            _work = null;
            if (_failure is { } failure)
            {
                _failure = null;
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }

    /// <summary>One background thread that claims parts of open jobs when woken.</summary>
    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = NewEvent();
        private readonly Thread _thread;
        private int _idle = 1;     // 1: waiting for work, so a caller may wake it (and set it to 0)
        private volatile bool _stop;

        public Worker(int index)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = $"FastNN worker {index}" };
            // Without the ExecutionContext of the caller that happens to start it: Start captured that caller's
            // AsyncLocal values (a request's, a trace's, a culture set on it), which every later part on this worker
            // saw and which the worker kept alive for as long as it ran.
            _thread.UnsafeStart();
        }

        /// <summary>Wakes the worker if it is idle; false if it is busy (or being woken by another caller).</summary>
        public bool TryWake()
        {
            if (Interlocked.CompareExchange(ref _idle, 0, 1) != 1)
                return false;
            _wake.Set();
            return true;
        }

        public void RequestStop()
        {
            _stop = true;
            _wake.Set();
        }

        public void Join() => _thread.Join();

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                _wake.Reset();
                if (_stop)
                    return;
                // A worker asked to stop claims nothing more (its callers take their own parts), or Stop would wait
                // for as long as other threads kept jobs open; it then finds its wake-up set and exits.
                do
                {
                    t_inPart = true;
                    while (!_stop && TryClaimAny(out Job? job, out int part))
                        job!.Execute(part);
                    t_inPart = false;
                    Volatile.Write(ref _idle, 1);
                    // A job opened between the last claim and the write above found this worker busy and did not
                    // wake it: look again, and take the work back unless a caller has just woken this worker.
                } while (!_stop && HasOpenJob() && Interlocked.CompareExchange(ref _idle, 0, 1) == 1);
            }
        }
    }
}
