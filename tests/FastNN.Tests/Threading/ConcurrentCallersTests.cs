using System.Collections.Concurrent;
using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

/// <summary>
/// Every split pass (<see cref="SplitPasses"/>) gives the bits of its one-thread run: on every thread, and from many
/// threads at once while another thread changes <see cref="Parallelism.MaxThreads"/> and stops the workers under them.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class ConcurrentCallersTests
{
    [Fact]
    public void EverySplitPassIsBitIdenticalOnOneThreadAndOnAll()
    {
        SplitPasses.Pass[] passes = SplitPasses.All();
        Array[][] one = RunAll(passes, 1);
        Array[][] all = RunAll(passes, Environment.ProcessorCount);
        Assert.Empty(passes.Select((p, i) => Mismatch(p, one[i], all[i])).OfType<string>());
    }

    [Fact]
    public void ConcurrentCallersGetTheOneThreadBitsWhileThreadsChangeAndWorkersStop()
    {
        SplitPasses.Pass[] passes = SplitPasses.All();
        Array[][] reference = RunAll(passes, 1);
        int saved = Parallelism.MaxThreads;
        var failures = new ConcurrentQueue<string>();
        const int Callers = 4;
        int running = Callers;
        Thread[] callers = [.. Enumerable.Range(0, Callers).Select(c => new Thread(() =>
        {
            try
            {
                // Each caller walks half the passes from its own starting point, so different passes overlap and
                // every pass runs on two callers.
                for (int i = 0; i < passes.Length / 2; i++)
                {
                    int p = (i + c * passes.Length / Callers) % passes.Length;
                    if (Mismatch(passes[p], reference[p], passes[p].Run()) is { } mismatch)
                        failures.Enqueue($"caller {c}: {mismatch}");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"caller {c}: {e}");
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }))];
        // Flips the thread count between one and all, and every few flips stops the workers, while the callers run.
        var disturber = new Thread(() =>
        {
            for (int flip = 0; Volatile.Read(ref running) > 0; flip++)
            {
                Parallelism.MaxThreads = flip % 2 == 0 ? Environment.ProcessorCount : 1;
                if (flip % 5 == 4)
                    Parallelism.StopWorkers();
                Thread.Sleep(1);
            }
        });
        try
        {
            Parallelism.MaxThreads = Environment.ProcessorCount;
            foreach (Thread t in callers)
                t.Start();
            disturber.Start();
            // A guard against a hang (a deadlock would otherwise stall the run), far above the few seconds this takes.
            foreach (Thread t in callers)
                Assert.True(t.Join(TimeSpan.FromMinutes(5)), "a caller did not finish");
            Assert.True(disturber.Join(TimeSpan.FromMinutes(5)), "the disturbing thread did not finish");
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
        Assert.Empty(failures);
    }

    private sealed class ThrowsInOnePart(int caller, int failingPart) : IParallelWork
    {
        public int Ran;

        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref Ran);
            if (part == failingPart)
                throw new InvalidOperationException($"caller {caller}");
        }
    }

    private sealed class CountsParts : IParallelWork
    {
        public int Ran;

        public void Execute(int part, int partCount) => Interlocked.Increment(ref Ran);
    }

    // Each caller gets its own part's exception (never another caller's), after every part of its job ran, and its
    // next job runs whole.
    [Fact]
    public void ConcurrentCallersEachGetTheirOwnPartsException()
    {
        var failures = new ConcurrentQueue<string>();
        Thread[] callers = [.. Enumerable.Range(0, 6).Select(c => new Thread(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                int parts = 2 + (c + round) % 3;
                var work = new ThrowsInOnePart(c, round % parts);
                try
                {
                    WorkerPool.Run(work, parts);
                    failures.Enqueue($"caller {c}, round {round}: no exception");
                }
                catch (InvalidOperationException e) when (e.Message == $"caller {c}")
                {
                }
                catch (Exception e)
                {
                    failures.Enqueue($"caller {c}, round {round}: {e.Message}");
                }
                if (work.Ran != parts)
                    failures.Enqueue($"caller {c}, round {round}: {work.Ran} of {parts} parts ran before the exception came back");
                var next = new CountsParts();
                WorkerPool.Run(next, parts);
                if (next.Ran != parts)
                    failures.Enqueue($"caller {c}, round {round}: the next job ran {next.Ran} of {parts} parts");
            }
        }))];
        foreach (Thread t in callers)
            t.Start();
        foreach (Thread t in callers)
            Assert.True(t.Join(TimeSpan.FromMinutes(5)), "a caller did not finish");
        Assert.Empty(failures);
    }

    private static Array[][] RunAll(SplitPasses.Pass[] passes, int threads)
    {
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            return [.. passes.Select(p => p.Run())];
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    /// <summary>Null when every array holds the same bits, otherwise where the first difference is.</summary>
    private static string? Mismatch(SplitPasses.Pass pass, Array[] expected, Array[] actual)
    {
        for (int r = 0; r < expected.Length; r++)
        {
            byte[] e = Bytes(expected[r]), a = Bytes(actual[r]);
            int at = e.AsSpan().CommonPrefixLength(a);
            if (at < e.Length || e.Length != a.Length)
                return $"{pass.Name}: result {r} differs at element {at / (e.Length / expected[r].Length)}";
        }
        return null;
    }

    private static byte[] Bytes(Array values)
    {
        var bytes = new byte[Buffer.ByteLength(values)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
