using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// Issue 15's training-step targets, side by side in one process: every workload of <see cref="StepWorkload"/> on
/// FastNN with one and two threads, PyTorch 1.13 with one and two threads (<c>benchmarks/pytorch/training_step.py</c>
/// as two child processes, see <see cref="PyTorchProcess"/>) and OpenBLAS's single-thread SGEMM at 1024³, timed in
/// paired rounds (<see cref="PairedRounds"/>); the ratios are taken within each round and their medians printed. Every
/// slice of every side starts with one untimed call: a slice holds as few as four steps of the 20-layer net, whose
/// 22 MB of weights, gradients and moments the 12 MB SGEMM slice before it has pushed out of L3, and a training loop's
/// steady state is not a cold first step.
/// Then the bytes each workload allocates per step, the ways of issue 15 each against what it replaced
/// (<see cref="StepWays"/>), and the per-phase profile of each step (<see cref="StepProfile"/>): on one thread, on two,
/// and the two side by side.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- step [workloads] [--rounds N]
/// [--no-profile] [--no-pytorch]</c>: workloads among <c>mlp64 mlp256 deep64 fit</c> (all by default), 15 rounds.
/// <list type="bullet">
/// <item>efficiency: the step's GEMM flops (<see cref="StepWorkload.Flops"/>) over its one-thread time, as a fraction
/// of OpenBLAS's single-thread SGEMM rate at 1024³ in the same round; <c>fit</c>'s epoch, timed but not rated, has
/// neither GFLOP/s nor efficiency ("-");</item>
/// <item>speed-up: PyTorch's time over FastNN's, same thread count;</item>
/// <item>2t / 1t: one-thread time over two-thread time, each library against itself.</item>
/// </list>
/// </remarks>
internal static class StepReport
{
    private const int SgemmSize = 1024;

    public static void Run(ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 15);
        bool profile = !arguments.Flag("--no-profile"), pytorch = !arguments.Flag("--no-pytorch");
        IReadOnlyList<string> workloads = arguments.Names(StepWorkload.Names);

        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// Paired rounds: {rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side; medians over rounds of per-round figures.");
        if (OpenBlas.Problem is { } blas)
            Console.WriteLine("// " + blas);
        PyTorchProcess? torch1 = null, torch2 = null;
        if (!pytorch)
            Console.WriteLine("// PyTorch sides skipped (--no-pytorch).");
        else if (PyTorchProcess.Problem is { } torch)
            Console.WriteLine("// " + torch);
        else
        {
            torch1 = PyTorchProcess.Start(1);
            torch2 = PyTorchProcess.Start(Math.Min(2, Environment.ProcessorCount));
            Console.WriteLine($"// PyTorch sides: {torch1.Describe()}; {torch2.Describe()}");
        }
        try
        {
            Compare(workloads, rounds, torch1, torch2);
        }
        finally
        {
            torch1?.Dispose();
            torch2?.Dispose();
        }
        Allocations(workloads);
        StepWays.Print(workloads, rounds, Settle);
        if (profile)
        {
            foreach (string name in workloads)
            {
                StepProfile.Print(StepWorkload.Create(name), rounds, 1);
                StepProfile.Print(StepWorkload.Create(name), rounds, Math.Min(2, Environment.ProcessorCount));
                StepProfile.PrintThreads(StepWorkload.Create(name), rounds);
            }
        }
    }

    private static void Compare(IReadOnlyList<string> workloads, int rounds, PyTorchProcess? torch1, PyTorchProcess? torch2)
    {
        var sgemm = new Gemm.GemmSquareBenchmarks<float> { Shape = Gemm.GemmShape.Square(SgemmSize), Threads = 1 };
        sgemm.Setup();
        bool blas = OpenBlas.Problem is null;
        int two = Math.Min(2, Environment.ProcessorCount);
        Console.WriteLine();
        Console.WriteLine("### Training step, float: FastNN against PyTorch 1.13 and OpenBLAS (medians of per-round figures)");
        Console.WriteLine();
        Console.WriteLine($"| Workload | FastNN 1t ms | PyTorch 1t ms | speed-up 1t | FastNN 1t GFLOP/s | OpenBLAS {SgemmSize}³ 1t GFLOP/s | efficiency 1t | " +
            $"FastNN {two}t ms | PyTorch {two}t ms | speed-up {two}t | FastNN {two}t / 1t | PyTorch {two}t / 1t |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string name in workloads)
        {
            StepWorkload fastnn = StepWorkload.Create(name);
            WarmUp(fastnn);
            var sides = new List<ITimedSide>
            {
                Threads(1, fastnn.Step),
                Threads(two, fastnn.Step),
            };
            int torch = -1, blasSide = -1;
            if (torch1 is not null && torch2 is not null)
            {
                torch = sides.Count;
                sides.Add(torch1.Side(name));
                sides.Add(torch2.Side(name));
            }
            if (blas)
            {
                blasSide = sides.Count;
                sides.Add(Threads(1, () => { OpenBlas.SetThreads(1); sgemm.OpenBLAS(); }));
            }
            double[][] t = PairedRounds.Measure(rounds, Settle, [.. sides]);
            double flops = fastnn.Flops, sgemmFlops = 2.0 * SgemmSize * SgemmSize * SgemmSize;
            string Ms(int i) => i < 0 ? "-" : F(PairedRounds.Median(t, x => x[i]) * 1e3, 3);
            string Ratio(Func<double[], double> figure, bool present) => present ? F(PairedRounds.Median(t, figure), 2) + "x" : "-";
            bool efficiency = blas && flops > 0;
            Console.WriteLine($"| {name}: {fastnn.Description} | {Ms(0)} | {Ms(torch)} | {Ratio(x => x[torch] / x[0], torch >= 0)} | " +
                $"{(flops > 0 ? F(PairedRounds.Median(t, x => flops / x[0]) / 1e9, 1) : "-")} | {(blas ? F(PairedRounds.Median(t, x => sgemmFlops / x[blasSide]) / 1e9, 1) : "-")} | " +
                $"{(efficiency ? F(PairedRounds.Median(t, x => flops / x[0] / (sgemmFlops / x[blasSide])) * 100, 1) + " %" : "-")} | " +
                $"{Ms(1)} | {Ms(torch < 0 ? -1 : torch + 1)} | {Ratio(x => x[torch + 1] / x[1], torch >= 0)} | " +
                $"{Ratio(x => x[0] / x[1], true)} | {Ratio(x => x[torch] / x[torch + 1], torch >= 0)} |");
        }
        Parallelism.MaxThreads = Environment.ProcessorCount;
    }

    /// <summary>
    /// Runs the workload for <see cref="WarmUpMilliseconds"/> on each thread count, so that the runtime has compiled the
    /// step's methods at their final tier (it promotes a method after 30 calls, in the background, in batches) before
    /// anything is timed: the paired rounds' own 40 ms warm-up is too short for a step's many small methods.
    /// </summary>
    internal static void WarmUp(StepWorkload workload)
    {
        foreach (int threads in new[] { 1, Math.Min(2, Environment.ProcessorCount) })
        {
            Parallelism.MaxThreads = threads;
            WarmUp(workload.Step);
        }
    }

    /// <summary>Runs <paramref name="actions"/> in turn for <see cref="WarmUpMilliseconds"/>, for the same reason as <see cref="WarmUp(StepWorkload)"/>.</summary>
    internal static void WarmUp(params Action[] actions)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalMilliseconds < WarmUpMilliseconds)
        {
            foreach (Action action in actions)
                action();
        }
    }

    private const double WarmUpMilliseconds = 1500;

    /// <summary>
    /// A pause of 10 ms after every slice, for the worker threads of the slice just timed to go to sleep (FastNN's spin
    /// for a few milliseconds after their last part, PyTorch's OpenMP threads likewise) instead of taking a core from
    /// the slice that follows.
    /// </summary>
    private static void Settle() => Thread.Sleep(10);

    /// <summary>A side that runs <paramref name="action"/> with FastNN's kernels capped at <paramref name="threads"/> (a process-wide setting, set per call).</summary>
    private static ITimedSide Threads(int threads, Action action) =>
        PairedRounds.Local(() =>
        {
            Parallelism.MaxThreads = threads;
            action();
        }, untimedFirst: true);

    /// <summary>
    /// Bytes allocated per call on the calling thread and in the whole process, one and two threads. A call of
    /// <c>fit</c> is a whole <see cref="Training.Trainer{T}.Fit"/> (a new trainer, its shuffled order, the epoch's record);
    /// it is measured at batch 32 and at batch 16, twice the steps: the same bytes mean its steps allocate nothing.
    /// </summary>
    private static void Allocations(IReadOnlyList<string> workloads)
    {
        Console.WriteLine();
        Console.WriteLine("### Bytes allocated per call (after 3 warm-up calls; calling thread / whole process)");
        Console.WriteLine();
        Console.WriteLine("| Workload | calls measured | optimizer steps per call | 1 thread | 2 threads |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string name in workloads)
        {
            foreach (StepWorkload w in name == "fit" ? [StepWorkload.Fit(32), StepWorkload.Fit(16)] : new[] { StepWorkload.Create(name) })
            {
                int calls = Math.Max(10, 400 / w.StepsPerCall);
                string Measure(int threads)
                {
                    Parallelism.MaxThreads = threads;
                    return BytesPerCall(w.Step, calls);
                }
                Console.WriteLine($"| {name}{(name == "fit" ? $" (batch {w.Batch})" : "")} | {calls} | {w.StepsPerCall} | {Measure(1)} | {Measure(Math.Min(2, Environment.ProcessorCount))} |");
            }
        }
        Parallelism.MaxThreads = Environment.ProcessorCount;
    }

    /// <summary>Bytes one call allocates, after 3 warm-up calls, over <paramref name="calls"/> calls: "thread B / process B".</summary>
    internal static string BytesPerCall(Action call, int calls) => BytesPerCall(call, calls, () => GC.GetTotalAllocatedBytes(precise: true));

    /// <summary>As <see cref="BytesPerCall(Action, int)"/>, with the process's counter given.</summary>
    /// <param name="processBytes">The process's allocated bytes; a test gives the calling thread's, which no other thread moves.</param>
    internal static string BytesPerCall(Action call, int calls, Func<long> processBytes)
    {
        for (int i = 0; i < 3; i++)
            call();
        long thread = GC.GetAllocatedBytesForCurrentThread(), process = processBytes();
        for (int i = 0; i < calls; i++)
            call();
        // Both counters read before anything is formatted: the process one would otherwise count the thread figure's string.
        thread = GC.GetAllocatedBytesForCurrentThread() - thread;
        process = processBytes() - process;
        return $"{PerCall(thread, calls)} B / {PerCall(process, calls)} B";
    }
}
