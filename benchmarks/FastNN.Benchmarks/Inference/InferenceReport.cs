using System.Diagnostics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Inference;
using FastNN.Models;
using Microsoft.ML.OnnxRuntime;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// The inference targets of issue 13 on the suite's MLPs (float, from <see cref="MlpNetwork"/>'s model files):
/// FastNN's <see cref="Predictor{T}"/>, ONNX Runtime 1.32 (one intra-op thread, sequential execution, OrtValue input
/// and output bound once) and <c>Sequential&lt;float&gt;.Forward</c> in evaluation mode, timed in paired rounds with the
/// read-bandwidth probes and the FMA peak; bytes allocated per call; the two prepacked kernels against each other at
/// batches 1 to 16; the read bandwidth by buffer size; 8 threads sharing one predictor.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- inference [latency] [paths] [probes]
/// [threads] [--model NAME|all] [--rounds N] [--seconds S]</c> (latency and threads by default; the issue's
/// 784-256-256-10 network; 21 rounds; 10 s of threads).
/// </remarks>
internal static class InferenceReport
{
    private static readonly int[] Batches = [1, 4, 16, 64, 256];

    public static void Run(ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 21);
        double seconds = arguments.Number("--seconds", 10);
        List<MlpNetwork> networks = [.. arguments.Texts("--model", $"all or a network: {string.Join(", ", MlpNetwork.All.Select(n => n.Name))}",
                text => text == "all" || MlpNetwork.Find(text) is not null)
            .SelectMany(text => text == "all" ? MlpNetwork.All : [MlpNetwork.Find(text)!])];
        string[] sectionNames = ["latency", "paths", "sweep", "probes", "threads"];
        List<string> sections = arguments.Words($"sections: {string.Join(", ", sectionNames)}", sectionNames.Contains);
        if (sections.Count == 0)
            sections.AddRange(["latency", "threads"]);
        if (networks.Count == 0)
            networks.Add(MlpNetwork.Issue);
        (long l2, long l3) = BandwidthProbe.CacheBytes();
        Console.WriteLine($"// Inference: L2 {l2 >> 10} KiB, L3 {l3 >> 20} MiB (sysfs, cpu0); ISA path {Intrinsics.Isa.Path}; " +
            $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}; networks {string.Join(", ", networks.Select(n => $"{n.Name} ({n.WeightBytes / 1e6:F3} MB)"))}.");
        // One thread for every side: Sequential's GEMM would otherwise split large products across the processors.
        Intrinsics.Parallelism.MaxThreads = 1;
        foreach (MlpNetwork network in networks)
        {
            if (sections.Contains("latency"))
                Latency(network, rounds);
            if (sections.Contains("paths"))
                Paths(network, rounds);
            if (sections.Contains("sweep"))
                Sweep(network, rounds);
        }
        if (sections.Contains("probes"))
            Probes(rounds);
        if (sections.Contains("threads"))
            Threads(networks[0], seconds);
    }

    private static void Latency(MlpNetwork network, int rounds)
    {
        Sequential<float> model = network.Load(Batches.Max()).Model;
        var predictor = new Predictor<float>(model);
        (long l2Bytes, long l3Bytes) = BandwidthProbe.CacheBytes();
        using var l2 = new BandwidthProbe(l2Bytes / 2);
        using var same = new BandwidthProbe(network.WeightBytes);
        using var l3 = new BandwidthProbe(4 * l2Bytes);
        var peak = new PeakFmaBenchmarks();
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Action peakAction = wide ? () => peak.Vector512Float() : () => peak.Vector256Float();
        double peakFlops = peak.Flops(wide ? nameof(PeakFmaBenchmarks.Vector512Float) : nameof(PeakFmaBenchmarks.Vector256Float));

        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(network.OnnxPath, options);
        using var runOptions = new RunOptions();

        Console.WriteLine();
        Console.WriteLine($"### {network.Name}: latency, one thread ({rounds} paired rounds of {PairedRounds.SliceMilliseconds} ms per side; medians of per-round figures)");
        Console.WriteLine();
        Console.WriteLine($"Probes at batch 1: L2 = 4 aligned streams over {l2.Bytes >> 10} KiB, same size = over {same.Bytes >> 10} KiB (the weights' size), L3 = over {l3.Bytes >> 20} MiB.");
        Console.WriteLine();
        Console.WriteLine("| Batch | FastNN µs | ONNX Runtime µs | Sequential µs | ORT / FastNN | FastNN GB/s (weights) | L2 read GB/s | FastNN % of L2 | same-size read GB/s | FastNN % of same-size | L3 read GB/s | FastNN GFLOP/s | % of FMA peak | B/call FastNN | B/call ORT | max abs diff vs ORT |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(0);
        foreach (int batch in Batches)
        {
            float[] x = Enumerable.Range(0, batch * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            float[] y = new float[batch * network.OutputSize], yOrt = new float[y.Length];
            using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [batch, network.InputSize]);
            using OrtValue output = OrtValue.CreateTensorValueFromMemory(yOrt, [batch, network.OutputSize]);
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
                actions.AddRange([() => l2.Read(), () => same.Read(), () => l3.Read()]);
            if (compute)
                actions.Add(peakAction);
            double[][] t = PairedRounds.Measure(rounds, [.. actions]);
            double Median(Func<double[], double> f) => PairedRounds.Median(t, f);
            double flops = network.FlopsPerRow * batch, weights = network.WeightBytes;
            string Probe(BandwidthProbe probe, int at) => probes ? $"{Median(r => probe.Bytes / r[at]) / 1e9:F1}" : "-";
            string Share(BandwidthProbe probe, int at) => probes ? $"{Median(r => weights / r[0] / (probe.Bytes / r[at])) * 100:F1}" : "-";
            string peakShare = compute ? $"{Median(r => flops / r[0] / (peakFlops / r[^1])) * 100:F1}" : "-";
            Console.WriteLine($"| {batch} | {Median(r => r[0]) * 1e6:F2} | {Median(r => r[1]) * 1e6:F2} | {Median(r => r[2]) * 1e6:F2} | " +
                $"{Median(r => r[1] / r[0]):F2}x | {Median(r => weights / r[0]) / 1e9:F1} | {Probe(l2, 3)} | {Share(l2, 3)} | {Probe(same, 4)} | {Share(same, 4)} | {Probe(l3, 5)} | " +
                $"{Median(r => flops / r[0]) / 1e9:F1} | {peakShare} | {BytesPerCall(fastnn)} | {BytesPerCall(ort)} | {diff:E1} |");
        }
    }

    /// <summary>
    /// The network's Dense products (ReLU fused, as the predictor runs them) on the panel-rows kernel and on the packed
    /// GEMM over the same prepacked panels, forced, at every batch from 1 to 16: where one overtakes the other.
    /// </summary>
    private static void Paths(MlpNetwork network, int rounds)
    {
        Sequential<float> model = network.Load(1).Model;
        var layers = network.Layers.Select((l, j) =>
        {
            ReadOnlySpan<float> w = model.Tensor($"{2 * j}.weight");
            return (Weight: Intrinsics.Gemm.Prepack(true, l.In, l.Out, w, l.In), Bias: model.Tensor($"{2 * j}.bias").ToArray(),
                Activation: j + 1 < network.Layers.Length ? Intrinsics.Activation.Relu : Intrinsics.Activation.Identity);
        }).ToArray();
        const int MaxRows = 16;
        var workspace = new float[layers.Max(l => l.Weight.WorkspaceLength)];
        var random = new Random(3);
        float[] x = Enumerable.Range(0, MaxRows * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
        float[][] activations = [.. network.Layers.Select(l => new float[MaxRows * l.Out])];
        void Run(int batch, int panelRowsMaxRows)
        {
            ReadOnlySpan<float> input = x.AsSpan(0, batch * network.InputSize);
            for (int j = 0; j < layers.Length; j++)
            {
                Span<float> output = activations[j].AsSpan(0, batch * network.Layers[j].Out);
                Intrinsics.Gemm.MultiplyPrepackedWithCutoff(batch, input, network.Layers[j].In, layers[j].Weight, layers[j].Bias, layers[j].Activation,
                    output, network.Layers[j].Out, workspace, panelRowsMaxRows);
                input = output;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"### {network.Name}: the two prepacked kernels, forced, batches 1-16 ({rounds} paired rounds; the Dense products only; the predictor takes the panel-rows kernel up to {Intrinsics.Gemm.PanelRowsMaxRows} rows)");
        Console.WriteLine();
        Console.WriteLine("| Batch | panel rows µs | packed GEMM µs | GEMM / panel rows | panel rows GFLOP/s | packed GEMM GFLOP/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        for (int batch = 1; batch <= MaxRows; batch++)
        {
            int rows = batch;
            double[][] t = PairedRounds.Measure(rounds, [() => Run(rows, int.MaxValue), () => Run(rows, 0)]);
            double flops = network.FlopsPerRow * batch;
            Console.WriteLine($"| {batch} | {PairedRounds.Median(t, r => r[0]) * 1e6:F2} | {PairedRounds.Median(t, r => r[1]) * 1e6:F2} | " +
                $"{PairedRounds.Median(t, r => r[1] / r[0]):F2} | {PairedRounds.Median(t, r => flops / r[0]) / 1e9:F1} | {PairedRounds.Median(t, r => flops / r[1]) / 1e9:F1} |");
        }
    }

    /// <summary>
    /// The panel-rows kernel sweeping the panels in one order on every call, against alternating the order call by call
    /// (<see cref="Intrinsics.Gemm.AlternatePanelOrder"/>), with ONNX Runtime and the same-size read probe, at batches 1 and 2.
    /// </summary>
    private static void Sweep(MlpNetwork network, int rounds)
    {
        var predictor = new Predictor<float>(network.Load(2).Model);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(network.OnnxPath, options);
        using var runOptions = new RunOptions();
        using var same = new BandwidthProbe(network.WeightBytes);
        Console.WriteLine();
        Console.WriteLine($"### {network.Name}: panel order fixed or alternating, call by call ({rounds} paired rounds)");
        Console.WriteLine();
        Console.WriteLine("| Batch | one order µs | alternating µs | one / alternating | ONNX Runtime µs | ORT / alternating | alternating GB/s (weights) | same-size read GB/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(5);
        foreach (int batch in new[] { 1, 2 })
        {
            float[] x = Enumerable.Range(0, batch * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            float[] y = new float[batch * network.OutputSize], yOrt = new float[y.Length];
            using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [batch, network.InputSize]);
            using OrtValue output = OrtValue.CreateTensorValueFromMemory(yOrt, [batch, network.OutputSize]);
            using OrtIoBinding binding = session.CreateIoBinding();
            binding.BindInput("x", input);
            binding.BindOutput("y", output);
            double[][] t = PairedRounds.Measure(rounds,
            [
                () => { Intrinsics.Gemm.AlternatePanelOrder = false; predictor.Predict(x, y, batch); },
                () => { Intrinsics.Gemm.AlternatePanelOrder = true; predictor.Predict(x, y, batch); },
                () => session.RunWithBinding(runOptions, binding),
                () => same.Read(),
            ]);
            Intrinsics.Gemm.AlternatePanelOrder = true;
            double Median(Func<double[], double> f) => PairedRounds.Median(t, f);
            Console.WriteLine($"| {batch} | {Median(r => r[0]) * 1e6:F2} | {Median(r => r[1]) * 1e6:F2} | {Median(r => r[0] / r[1]):F2}x | {Median(r => r[2]) * 1e6:F2} | " +
                $"{Median(r => r[2] / r[1]):F2}x | {Median(r => network.WeightBytes / r[1]) / 1e9:F1} | {Median(r => same.Bytes / r[3]) / 1e9:F1} |");
        }
    }

    /// <summary>Read bandwidth of the four-stream probe by buffer size, from a quarter of L1 to sixteen times the L2, alternated in rounds.</summary>
    private static void Probes(int rounds)
    {
        (long l2, _) = BandwidthProbe.CacheBytes();
        double[] fractions = [1.0 / 64, 1.0 / 8, 1.0 / 4, 1.0 / 2, 3.0 / 4, 7.0 / 8, 1, 1.03, 1.25, 1.5, 2, 4, 16];
        BandwidthProbe[] probes = [.. fractions.Select(f => new BandwidthProbe((long)(f * l2)))];
        double[][] t = PairedRounds.Measure(rounds, [.. probes.Select(p => (Action)(() => p.Read()))]);
        Console.WriteLine();
        Console.WriteLine($"### Read bandwidth by buffer size (four aligned streams, read again and again; {rounds} rounds, medians; L2 {l2 >> 10} KiB)");
        Console.WriteLine();
        Console.WriteLine("| Buffer KiB | × L2 | GB/s |");
        Console.WriteLine("|---:|---:|---:|");
        for (int i = 0; i < probes.Length; i++)
            Console.WriteLine($"| {probes[i].Bytes >> 10} | {fractions[i]:0.###} | {PairedRounds.Median(t, r => probes[i].Bytes / r[i]) / 1e9:F1} |");
        foreach (BandwidthProbe probe in probes)
            probe.Dispose();
    }

    /// <summary>
    /// Managed bytes one call allocates on this thread: the least of five windows of 1000 calls, divided by 1000
    /// (<see cref="Figures.PerCall"/>: 0.0 only when nothing was allocated), so a one-off of the runtime (a tier-up) does
    /// not count but an allocation in every window does.
    /// </summary>
    internal static string BytesPerCall(Action call)
    {
        long least = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
                call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return Figures.PerCall(least, 1000);
    }

    /// <summary>
    /// One thread alone, then 8 threads sharing one predictor, at batch 1 for the given time each (after half a second of
    /// warm-up): calls per
    /// second, p50/p99 latency (a histogram of 0.1 µs bins per thread), bytes allocated per call, and every output
    /// compared bit for bit with a single-threaded reference.
    /// </summary>
    private static void Threads(MlpNetwork network, double seconds)
    {
        var predictor = new Predictor<float>(network.Load(1));
        const int Rows = 64;
        var random = new Random(1);
        float[] x = Enumerable.Range(0, Rows * network.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = new float[Rows * network.OutputSize];
        for (int r = 0; r < Rows; r++)
            predictor.Predict(x.AsSpan(r * network.InputSize, network.InputSize), expected.AsSpan(r * network.OutputSize, network.OutputSize), 1);

        Console.WriteLine();
        Console.WriteLine($"### {network.Name}: one predictor shared by threads, batch 1, {seconds:F0} s per line ({Environment.ProcessorCount} processors)");
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
                $"{result.BytesPerCall} | {result.Mismatches} | {result.Exceptions} |");
        }
    }

    private sealed record ShareResult(double CallsPerSecond, double P50, double P99, string BytesPerCall, long Mismatches, int Exceptions);

    private static ShareResult Share(Predictor<float> predictor, float[] x, float[] expected, int threads, double seconds)
    {
        int inputSize = predictor.InputSize, outputSize = predictor.OutputSize;
        const int Bins = 100_000; // 0.1 µs each: up to 10 ms
        int rows = expected.Length / outputSize;
        var histograms = new long[threads][];
        var calls = new long[threads];
        var bytes = new long[threads];
        var mismatches = new long[threads];
        int exceptions = 0;
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var histogram = histograms[t] = new long[Bins];
            var y = new float[outputSize];
            double ticksPerBin = Stopwatch.Frequency / 1e7;
            try
            {
                start.SignalAndWait();
                // Half a second of warm-up with every thread running, so the predictor's workspaces have grown to the
                // number of calls in flight (one each) before the bytes are counted.
                long warm = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
                while (Stopwatch.GetTimestamp() < warm)
                    predictor.Predict(x.AsSpan(0, inputSize), y, 1);
                long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
                long before = GC.GetAllocatedBytesForCurrentThread();
                int row = t;
                long now = Stopwatch.GetTimestamp();
                while (now < end)
                {
                    predictor.Predict(x.AsSpan(row * inputSize, inputSize), y, 1);
                    long after = Stopwatch.GetTimestamp();
                    histogram[Math.Min(Bins - 1, (int)((after - now) / ticksPerBin))]++;
                    if (!y.AsSpan().SequenceEqual(expected.AsSpan(row * outputSize, outputSize)))
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
            Figures.PerCall(bytes.Sum(), total), mismatches.Sum(), exceptions);
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
