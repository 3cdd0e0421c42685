using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FastNN.Cli.Machine;
using FastNN.Intrinsics;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary>
/// <c>fastnn bench</c>: a quick in-process look at speed: the float FMA peak of one core, a square GEMM on one thread
/// and on every thread, and the training step of a 784-256-256-10 MLP, each as GFLOP/s and a fraction of the measured
/// peak. The BenchmarkDotNet suites (benchmarks/FastNN.Benchmarks) are the rigorous measurements.
/// </summary>
internal static class BenchCommand
{
    // Three 8192² float matrices take 805 MB and one product 1.1 TFLOP, seconds on a core; beyond, a typo would take
    // minutes or exhaust memory, and past 46340 n² no longer fits in an int.
    private const int MaxSize = 8192;

    public static Command Create(CliConsole console)
    {
        var size = new Option<int?>("--size")
        {
            Description = $"n of the n×n×n float GEMM, 16 to {MaxSize}. Default 512.",
            HelpName = "N",
        };
        var threads = new Option<int?>("--threads")
        {
            Description = "Threads of the multi-threaded runs. Default: FASTNN_NUM_THREADS, else every processor.",
            HelpName = "N",
        };
        var time = new Option<double?>("--time")
        {
            Description = "Seconds spent on each measurement (the median of repeated runs is reported). Default 1.",
            HelpName = "SECONDS",
        };
        var command = new Command("bench",
            "A quick in-process benchmark: float GEMM GFLOP/s and an MLP training step, as fractions of the measured FMA peak (benchmarks/FastNN.Benchmarks holds the rigorous suites).")
        {
            size, threads, time,
        };
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            int n = Options.OptionValues.AtLeast(parse.GetValue(size) ?? 512, 16, "--size");
            if (n > MaxSize)
                throw new UsageException($"--size must be at most {MaxSize}; got {n}.");
            int all = Options.OptionValues.AtLeast(parse.GetValue(threads) ?? Parallelism.MaxThreads, 1, "--threads");
            return Run(console, n, all, Options.OptionValues.Positive(parse.GetValue(time) ?? 1.0, "--time"));
        }));
        return command;
    }

    private static int Run(CliConsole console, int n, int threads, double seconds)
    {
        int previous = Parallelism.MaxThreads;
        try
        {
            // Parallelism clamps the count to the processors: print, and scale the peak by, the threads the kernels get.
            Parallelism.MaxThreads = threads;
            threads = Parallelism.MaxThreads;
            console.Line($"{MachineInfo.CpuModel()}, {Environment.ProcessorCount} logical processors, SIMD path {Isa.Path}; measuring...");
            double peak = FmaPeak.Measure();
            var table = new Table().AddColumns("measurement", "threads", "median time", "GFLOP/s", "of measured peak");
            table.AddRow("float FMA peak, twelve independent chains", "1", "", Format(peak), "100%");

            var a = Random(n * n, 1);
            var b = Random(n * n, 2);
            var c = new float[n * n];
            double gemmFlops = 2.0 * n * n * n;
            foreach (int t in threads == 1 ? [1] : new[] { 1, threads })
            {
                Parallelism.MaxThreads = t;
                double median = Median(() => Gemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n), seconds);
                AddRow(table, $"float GEMM {n}×{n}×{n}", t, median, gemmFlops, peak);
            }

            Parallelism.MaxThreads = threads;
            (double stepSeconds, double stepFlops) = TrainStep(seconds);
            AddRow(table, "MLP 784-256-256-10 AdamW training step, batch 256", threads, stepSeconds, stepFlops, peak);
            console.Write(table);
            console.Line("Quick figures from one process: the BenchmarkDotNet suites in benchmarks/FastNN.Benchmarks are the rigorous ones (see benchmarks/RESULTS.md).");
            return ExitCode.Success;
        }
        finally
        {
            Parallelism.MaxThreads = previous;
        }
    }

    // One step's GEMM work: forward and weight gradient of every layer, input gradient of all but the first (training skips it).
    private static (double Seconds, double Flops) TrainStep(double seconds)
    {
        const int batch = 256;
        int[] widths = [784, 256, 256, 10];
        Sequential<float> model = new SequentialBuilder<float>(784).Dense(256).Relu().Dense(256).Relu().Dense(10).Build(batch, seed: 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length),
            TaskKind.MultiClassClassification, new TrainerOptions { BatchSize = batch });
        float[] x = Random(batch * 784, 3);
        float[] y = Enumerable.Range(0, batch).Select(i => (float)(i % 10)).ToArray();
        double flops = 0;
        for (int l = 0; l + 1 < widths.Length; l++)
            flops += 2.0 * batch * widths[l] * widths[l + 1] * (l == 0 ? 2 : 3);
        return (Median(() => trainer.TrainStep(x, y, batch), seconds), flops);
    }

    // The median of repeated timings, after a warm-up call, over about the given time (at least five runs).
    private static double Median(Action action, double seconds)
    {
        action();
        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (times.Count < 5 || (times.Count < 1000 && Stopwatch.GetElapsedTime(start).TotalSeconds < seconds))
        {
            long t = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static void AddRow(Table table, string name, int threads, double seconds, double flops, double onePeak)
    {
        double rate = flops / seconds / 1e9;
        table.AddRow(Markup.Escape(name), threads.ToString(CultureInfo.InvariantCulture),
            seconds >= 1e-3 ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F3} ms") : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F1} µs"),
            Format(rate), string.Create(CultureInfo.InvariantCulture, $"{100 * rate / (onePeak * threads):F0}%"));
    }

    private static string Format(double gflops) => gflops.ToString("F1", CultureInfo.InvariantCulture);

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
