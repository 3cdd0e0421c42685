using System.Diagnostics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Inference;
using FastNN.Models;
using Microsoft.ML.OnnxRuntime;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// The inference targets of issue 13 on the 784-256-256-10 ReLU MLP (float, weights from <see cref="MlpFiles"/>):
/// FastNN's <see cref="Predictor{T}"/>, ONNX Runtime 1.32 (one intra-op thread, sequential execution, OrtValue input
/// and output bound once) and <c>Sequential&lt;float&gt;.Forward</c> in evaluation mode, timed in paired rounds with the
/// L2/L3 read-bandwidth probe and the FMA peak; then bytes allocated per call; then 8 threads sharing one predictor.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- inference [latency] [threads]
/// [--rounds N] [--seconds S]</c> (both sections by default; 21 rounds; 10 s of threads).
/// </remarks>
internal static class InferenceReport
{
    private static readonly int[] Batches = [1, 4, 16, 64, 256];

    public static void Run(string[] args)
    {
        int rounds = 21;
        double seconds = 10;
        var sections = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length)
                rounds = int.Parse(args[++i]);
            else if (args[i] == "--seconds" && i + 1 < args.Length)
                seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] is "latency" or "threads")
                sections.Add(args[i]);
            else
                throw new ArgumentException($"Unknown argument '{args[i]}': expected latency, threads, --rounds N, --seconds S.");
        }
        if (sections.Count == 0)
            sections.AddRange(["latency", "threads"]);
        (long l2, long l3) = BandwidthProbe.CacheBytes();
        Console.WriteLine($"// Inference: {MlpFiles.Name} float, weights {MlpFiles.WeightBytes / 1e6:F3} MB; L2 {l2 >> 10} KiB, L3 {l3 >> 20} MiB (sysfs, cpu0); " +
            $"ISA path {Intrinsics.Isa.Path}; ONNX Runtime {OrtEnv.Instance().GetVersionString()}.");
        if (sections.Contains("latency"))
            Latency(rounds);
        if (sections.Contains("threads"))
            Threads(seconds);
    }

    private static void Latency(int rounds)
    {
        // One thread for every side: Sequential's GEMM would otherwise split large products across the processors.
        Intrinsics.Parallelism.MaxThreads = 1;
        Sequential<float> model = MlpFiles.Load(Batches.Max());
        var predictor = new Predictor<float>(model);
        BandwidthProbe l2 = BandwidthProbe.ForL2();
        BandwidthProbe? l3 = BandwidthProbe.ForL3();
        var peak = new PeakFmaBenchmarks();
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Action peakAction = wide ? () => peak.Vector512Float() : () => peak.Vector256Float();
        double peakFlops = peak.Flops(wide ? nameof(PeakFmaBenchmarks.Vector512Float) : nameof(PeakFmaBenchmarks.Vector256Float));

        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(MlpFiles.OnnxPath, options);
        using var runOptions = new RunOptions();

        Console.WriteLine();
        Console.WriteLine($"### Latency, one thread ({rounds} paired rounds of {PairedRounds.SliceMilliseconds} ms per side; medians of per-round figures)");
        Console.WriteLine();
        Console.WriteLine("| Batch | FastNN µs | ONNX Runtime µs | Sequential µs | ORT / FastNN | FastNN GB/s (weights) | L2 read GB/s | FastNN % of L2 | L3 read GB/s | FastNN GFLOP/s | % of FMA peak | B/call FastNN | B/call ORT | max abs diff vs ORT |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(0);
        foreach (int batch in Batches)
        {
            float[] x = Enumerable.Range(0, batch * MlpFiles.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            float[] y = new float[batch * MlpFiles.OutputSize], yOrt = new float[y.Length];
            using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [batch, MlpFiles.InputSize]);
            using OrtValue output = OrtValue.CreateTensorValueFromMemory(yOrt, [batch, MlpFiles.OutputSize]);
            using OrtIoBinding binding = session.CreateIoBinding();
            binding.BindInput("x", input);
            binding.BindOutput("y", output);

            Action fastnn = () => predictor.Predict(x, y, batch);
            Action ort = () => session.RunWithBinding(runOptions, binding);
            Action sequential = () => model.Forward(x, batch);
            fastnn();
            ort();
            double diff = 0;
            for (int i = 0; i < y.Length; i++)
                diff = Math.Max(diff, Math.Abs(y[i] - yOrt[i]));
            if (diff > 1e-5)
                Console.WriteLine($"// WARNING: FastNN and ONNX Runtime differ by {diff:E2} at batch {batch} (more than 1e-5).");

            var actions = new List<Action> { fastnn, ort, sequential };
            bool probes = batch == 1, compute = batch >= 64;
            if (probes)
            {
                actions.Add(() => l2.Read());
                if (l3 is not null)
                    actions.Add(() => l3.Read());
            }
            if (compute)
                actions.Add(peakAction);
            double[][] t = PairedRounds.Measure(rounds, [.. actions]);
            double Median(Func<double[], double> f) => PairedRounds.Median(t, f);
            double flops = MlpFiles.FlopsPerRow * batch;
            string l2Rate = probes ? $"{Median(r => l2.Bytes / r[3]) / 1e9:F1}" : "-";
            string l2Share = probes ? $"{Median(r => MlpFiles.WeightBytes / r[0] / (l2.Bytes / r[3])) * 100:F1}" : "-";
            string l3Rate = probes && l3 is not null ? $"{Median(r => l3.Bytes / r[4]) / 1e9:F1}" : "-";
            string peakShare = compute ? $"{Median(r => flops / r[0] / (peakFlops / r[^1])) * 100:F1}" : "-";
            Console.WriteLine($"| {batch} | {Median(r => r[0]) * 1e6:F2} | {Median(r => r[1]) * 1e6:F2} | {Median(r => r[2]) * 1e6:F2} | " +
                $"{Median(r => r[1] / r[0]):F2}x | {Median(r => MlpFiles.WeightBytes / r[0]) / 1e9:F1} | {l2Rate} | {l2Share} | {l3Rate} | " +
                $"{Median(r => flops / r[0]) / 1e9:F1} | {peakShare} | {BytesPerCall(fastnn)} | {BytesPerCall(ort)} | {diff:E1} |");
        }
    }

    /// <summary>
    /// Managed bytes one call allocates on this thread: the least of five windows of 1000 calls, divided by 1000, so a
    /// one-off of the runtime (a tier-up) does not count but an allocation in every call does.
    /// </summary>
    private static string BytesPerCall(Action call)
    {
        long least = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
                call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return $"{least / 1000.0:F1}";
    }

    /// <summary>
    /// One thread alone, then 8 threads sharing one predictor, at batch 1 for the given time each (after half a second of
    /// warm-up): calls per
    /// second, p50/p99 latency (a histogram of 0.1 µs bins per thread), bytes allocated per call, and every output
    /// compared bit for bit with a single-threaded reference.
    /// </summary>
    private static void Threads(double seconds)
    {
        var predictor = new Predictor<float>(MlpFiles.Load(1));
        const int Rows = 64;
        var random = new Random(1);
        float[] x = Enumerable.Range(0, Rows * MlpFiles.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = new float[Rows * MlpFiles.OutputSize];
        for (int r = 0; r < Rows; r++)
            predictor.Predict(x.AsSpan(r * MlpFiles.InputSize, MlpFiles.InputSize), expected.AsSpan(r * MlpFiles.OutputSize, MlpFiles.OutputSize), 1);

        Console.WriteLine();
        Console.WriteLine($"### One predictor shared by threads, batch 1, {seconds:F0} s per line ({Environment.ProcessorCount} processors)");
        Console.WriteLine();
        Console.WriteLine("| Threads | Calls/s | vs 1 thread | p50 µs | p99 µs | B/call | Mismatched rows | Exceptions |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        double single = 0;
        foreach (int threads in new[] { 1, 8 })
        {
            var result = Share(predictor, x, expected, threads, seconds);
            if (threads == 1)
                single = result.CallsPerSecond;
            Console.WriteLine($"| {threads} | {result.CallsPerSecond:F0} | {result.CallsPerSecond / single:F2}x | {result.P50:F2} | {result.P99:F2} | " +
                $"{result.BytesPerCall:F1} | {result.Mismatches} | {result.Exceptions} |");
        }
    }

    private sealed record ShareResult(double CallsPerSecond, double P50, double P99, double BytesPerCall, long Mismatches, int Exceptions);

    private static ShareResult Share(Predictor<float> predictor, float[] x, float[] expected, int threads, double seconds)
    {
        const int Bins = 100_000; // 0.1 µs each: up to 10 ms
        int rows = expected.Length / MlpFiles.OutputSize;
        var histograms = new long[threads][];
        var calls = new long[threads];
        var bytes = new long[threads];
        var mismatches = new long[threads];
        int exceptions = 0;
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var histogram = histograms[t] = new long[Bins];
            var y = new float[MlpFiles.OutputSize];
            double ticksPerBin = Stopwatch.Frequency / 1e7;
            try
            {
                start.SignalAndWait();
                // Half a second of warm-up with every thread running, so the predictor's workspaces have grown to the
                // number of calls in flight (one each) before the bytes are counted.
                long warm = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
                while (Stopwatch.GetTimestamp() < warm)
                    predictor.Predict(x.AsSpan(0, MlpFiles.InputSize), y, 1);
                long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
                long before = GC.GetAllocatedBytesForCurrentThread();
                int row = t;
                long now = Stopwatch.GetTimestamp();
                while (now < end)
                {
                    predictor.Predict(x.AsSpan(row * MlpFiles.InputSize, MlpFiles.InputSize), y, 1);
                    long after = Stopwatch.GetTimestamp();
                    histogram[Math.Min(Bins - 1, (int)((after - now) / ticksPerBin))]++;
                    if (!y.AsSpan().SequenceEqual(expected.AsSpan(row * MlpFiles.OutputSize, MlpFiles.OutputSize)))
                        mismatches[t]++;
                    calls[t]++;
                    row = (row + 1) % rows;
                    now = after;
                }
                bytes[t] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            catch (Exception)
            {
                Interlocked.Increment(ref exceptions);
            }
        })).ToArray();
        foreach (Thread worker in workers)
            worker.Start();
        start.SignalAndWait();
        foreach (Thread worker in workers)
            worker.Join();
        double elapsed = seconds;
        long total = calls.Sum();
        var merged = new long[Bins];
        foreach (long[] h in histograms)
            for (int i = 0; i < Bins; i++)
                merged[i] += h[i];
        return new ShareResult(total / elapsed, Percentile(merged, total, 0.5), Percentile(merged, total, 0.99),
            (double)bytes.Sum() / total, mismatches.Sum(), exceptions);
    }

    private static double Percentile(long[] histogram, long total, double q)
    {
        long seen = 0;
        for (int i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= q * total)
                return (i + 0.5) / 10;
        }
        return double.NaN;
    }
}
