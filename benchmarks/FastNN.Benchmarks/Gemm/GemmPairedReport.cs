using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// The GEMM targets of issue 3 measured in paired rounds (<see cref="PairedRounds"/>): FastNN, OpenBLAS and the FMA
/// peak timed in turn within each round, their ratios taken per round, medians printed as markdown tables. The
/// BenchmarkDotNet suites measure each case for about 1.5 s, one after the other; here the two sides of every
/// ratio are never more than a few tens of milliseconds apart.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- paired [sections] [--rounds N]</c>;
/// sections are <c>float-square float-mlp double-square double-mlp scaling</c>, all by default. Operands and calls
/// are those of <see cref="GemmBenchmark{T}"/>. The peak is that of the widest vectors the process may use
/// (512-bit, or 256-bit under DOTNET_EnableAVX512=0), for the element type.
/// </remarks>
internal static class GemmPairedReport
{
    private static readonly string[] AllSections = ["float-square", "float-mlp", "double-square", "double-mlp", "scaling"];

    /// <summary>
    /// Makes OpenBLAS's worker threads sleep as soon as a call ends (OPENBLAS_THREAD_TIMEOUT=4: 2^4 cycles) instead
    /// of spinning for 2^28 cycles, about 0.1 s here; must run before the library loads. Left spinning, a worker took
    /// a core from the slices that followed an OpenBLAS two-thread slice: FastNN's 2t / 1t at 1024³ read 1.75-1.92x
    /// in three runs, and 1.94-1.98x in three runs with the timeout. The wake-up it adds to each OpenBLAS two-thread
    /// call is microseconds against calls of milliseconds: only the 1024³ and 2048³ scaling runs on two threads.
    /// </summary>
    public static void ConfigureEnvironment() => NativeEnvironment.Set("OPENBLAS_THREAD_TIMEOUT", "4");

    /// <summary>Runs the sections <paramref name="args"/> names (all when it names none) and prints their tables.</summary>
    public static void Run(string[] args)
    {
        int rounds = 21;
        var sections = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0)
            {
                rounds = r;
                i++;
            }
            else if (AllSections.Contains(args[i]))
                sections.Add(args[i]);
            else
                throw new ArgumentException($"Unknown argument '{args[i]}': expected any of {string.Join(", ", AllSections)} and --rounds N.");
        }
        if (sections.Count == 0)
            sections.AddRange(AllSections);

        Console.WriteLine($"// Paired rounds: {rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side; medians over rounds of per-round figures.");
        if (OpenBlas.Problem is { } problem)
            Console.WriteLine("// " + problem);
        foreach (string section in sections)
        {
            switch (section)
            {
                case "float-square": Compare<float>("float, 1 thread, square", GemmSquareBenchmarks<float>.Shapes, rounds); break;
                case "float-mlp": Compare<float>("float, 1 thread, MLP 784-256-256-10", GemmMlpBenchmarks<float>.Shapes, rounds); break;
                case "double-square": Compare<double>("double, 1 thread, square", GemmSquareBenchmarks<double>.Shapes, rounds); break;
                case "double-mlp": Compare<double>("double, 1 thread, MLP 784-256-256-10", GemmMlpBenchmarks<double>.Shapes, rounds); break;
                case "scaling": Scaling(rounds); break;
            }
        }
    }

    /// <summary>FastNN against OpenBLAS and the peak, one thread, per shape.</summary>
    private static void Compare<T>(string title, IEnumerable<GemmShape> shapes, int rounds) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Action? peak, double peakFlops, string peakName) = Peak<T>();
        bool baseline = OpenBlas.Problem is null;
        Console.WriteLine();
        Console.WriteLine($"### {title} (peak: {peakName})");
        Console.WriteLine();
        Console.WriteLine("| Shape | FastNN GFLOP/s | OpenBLAS GFLOP/s | FastNN / OpenBLAS | FastNN % of peak | OpenBLAS % of peak | Peak GFLOP/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (GemmShape shape in shapes)
        {
            // Any suite serves: the shape is set directly.
            var gemm = new GemmSquareBenchmarks<T> { Shape = shape, Threads = 1 };
            gemm.Setup();
            var actions = new List<Action> { gemm.FastNN };
            if (baseline)
                actions.Add(gemm.OpenBLAS);
            if (peak is not null)
                actions.Add(peak);
            double[][] t = PairedRounds.Measure(rounds, [.. actions]);
            int p = actions.Count - 1;
            double f = shape.Flops;
            string Rate(int i) => $"{PairedRounds.Median(t, x => f / x[i]) / 1e9:F1}";
            string Percent(int i) => peak is null ? "-" : $"{PairedRounds.Median(t, x => f / x[i] / (peakFlops / x[p])) * 100:F1}";
            Console.WriteLine($"| {shape} | {Rate(0)} | {(baseline ? Rate(1) : "-")} | " +
                $"{(baseline ? $"{PairedRounds.Median(t, x => x[1] / x[0]):F2}x" : "-")} | {Percent(0)} | {(baseline ? Percent(1) : "-")} | " +
                $"{(peak is null ? "-" : $"{PairedRounds.Median(t, x => peakFlops / x[p]) / 1e9:F1}")} |");
        }
    }

    /// <summary>Two threads against one at the large float sizes, for FastNN and OpenBLAS alike.</summary>
    private static void Scaling(int rounds)
    {
        bool baseline = OpenBlas.Problem is null;
        Console.WriteLine();
        Console.WriteLine($"### float, 2 threads against 1 ({Environment.ProcessorCount} processors)");
        Console.WriteLine();
        Console.WriteLine("| Shape | FastNN 1t GFLOP/s | FastNN 2t GFLOP/s | FastNN 2t / 1t | OpenBLAS 2t / 1t | FastNN 2t / OpenBLAS 2t |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (GemmShape shape in new[] { GemmShape.Square(1024), GemmShape.Square(2048) })
        {
            var one = new GemmSquareBenchmarks<float> { Shape = shape, Threads = 1 };
            var two = new GemmSquareBenchmarks<float> { Shape = shape, Threads = 2 };
            one.Setup();
            two.Setup();
            // Thread counts are process-wide: each call sets its own (a call here takes milliseconds; setting takes nanoseconds).
            var actions = new List<Action> { () => { one.UseThreads(); one.FastNN(); }, () => { two.UseThreads(); two.FastNN(); } };
            if (baseline)
                actions.AddRange([() => { one.UseThreads(); one.OpenBLAS(); }, () => { two.UseThreads(); two.OpenBLAS(); }]);
            double[][] t = PairedRounds.Measure(rounds, [.. actions]);
            double f = shape.Flops;
            Console.WriteLine($"| {shape} | {PairedRounds.Median(t, x => f / x[0]) / 1e9:F1} | {PairedRounds.Median(t, x => f / x[1]) / 1e9:F1} | " +
                $"{PairedRounds.Median(t, x => x[0] / x[1]):F2}x | " +
                $"{(baseline ? $"{PairedRounds.Median(t, x => x[2] / x[3]):F2}x" : "-")} | {(baseline ? $"{PairedRounds.Median(t, x => x[3] / x[1]):F2}x" : "-")} |");
        }
    }

    /// <summary>The peak probe of the widest vectors this process may use, its flops per call and its name.</summary>
    private static (Action? Peak, double Flops, string Name) Peak<T>()
    {
        var probe = new PeakFmaBenchmarks();
        bool single = typeof(T) == typeof(float);
        string method;
        Action action;
        if (Vector512.IsHardwareAccelerated)
        {
            method = single ? nameof(PeakFmaBenchmarks.Vector512Float) : nameof(PeakFmaBenchmarks.Vector512Double);
            action = single ? () => probe.Vector512Float() : () => probe.Vector512Double();
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            method = single ? nameof(PeakFmaBenchmarks.Vector256Float) : nameof(PeakFmaBenchmarks.Vector256Double);
            action = single ? () => probe.Vector256Float() : () => probe.Vector256Double();
        }
        else
        {
            return (null, 0, "none: no 256-bit vectors");
        }
        return (action, probe.Flops(method), method);
    }
}
