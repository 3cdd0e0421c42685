using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// The GEMM targets measured in paired rounds (<see cref="PairedRounds"/>): FastNN, OpenBLAS and the FMA peak
/// timed in turn within each round, their ratios taken per round, medians printed as markdown tables. The
/// BenchmarkDotNet suites measure each case for about 1.5 s, one after the other; here the two sides of every
/// ratio are never more than a few tens of milliseconds apart.
/// </summary>
/// <remarks>
/// <para>Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- paired [sections] [options]</c>;
/// sections are <c>float-square float-mlp double-square double-mlp scaling</c>, all by default, and
/// <c>float-dot double-dot</c> (<see cref="GemmDotSection"/>) and <c>cold</c> (<see cref="GemmColdReport"/>) when named. Options:
/// <c>--rounds N</c> (21); <c>--threads N</c>, the threads both libraries get in the first four sections (1; the
/// peak probe, one core's, is left out above one); <c>--versus PATH</c>, another build's FastNN.Intrinsics.dll
/// (the code before a change) timed in the same rounds, its ratio in a column of its own (one thread only: with
/// <c>--threads</c> above 1 it is a usage error, as two builds alternated on two threads were biased); <c>--blocking MC,KC,NC</c>,
/// this build with those block sizes as one more side; <c>--square N,N,...</c>, other square sizes; <c>--only TEXT,TEXT,...</c>,
/// only the shapes whose printed name contains one of the texts. Operands and calls are those of <see cref="GemmBenchmark{T}"/>.
/// The peak is that of the widest vectors the process may use (512-bit, or 256-bit under DOTNET_EnableAVX512=0),
/// for the element type.</para>
/// </remarks>
internal static class GemmPairedReport
{
    private static readonly string[] AllSections = ["float-square", "float-mlp", "double-square", "double-mlp", "scaling"];

    // Run only when named: the dot-product path against the others (GemmDotSection).
    private static readonly string[] DotSections = ["float-dot", "double-dot"];

    /// <summary>Run only when named: the products on cold operands (GemmColdReport).</summary>
    private static readonly string[] ColdSections = ["cold"];

    /// <summary>
    /// Makes OpenBLAS's worker threads sleep as soon as a call ends (OPENBLAS_THREAD_TIMEOUT=4: 2^4 cycles) instead
    /// of spinning for 2^28 cycles, about 0.1 s here; must run before the library loads. Left spinning, a worker took
    /// a core from the slices that followed an OpenBLAS two-thread slice: FastNN's 2t / 1t at 1024³ read 1.75-1.92x
    /// in three runs, and 1.94-1.98x in three runs with the timeout. The wake-up it adds to each OpenBLAS two-thread
    /// call is microseconds against calls of milliseconds.
    /// </summary>
    public static void ConfigureEnvironment() => NativeEnvironment.Set("OPENBLAS_THREAD_TIMEOUT", "4");

    /// <summary>The command line: sections, then the options of the class remarks.</summary>
    internal sealed record Options(List<string> Sections, int Rounds, int Threads, BaselineBuild? Versus, List<string> Blockings, int[]? Squares, string? Only);

    /// <summary>Runs the sections <paramref name="arguments"/> names (all when it names none) and prints their tables.</summary>
    public static void Run(ModeArguments arguments)
    {
        Options o = Parse(arguments);
        Console.WriteLine($"// Paired rounds: {o.Rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side; medians over rounds of per-round figures.");
        Console.WriteLine($"// Caches: {CacheHierarchy.Current}.");
        Console.WriteLine($"// Block sizes ({Isa.Path}): float {BlockSizes.For<float>(Isa.Path)}, double {BlockSizes.For<double>(Isa.Path)}.");
        if (o.Versus is { } versus)
            Console.WriteLine($"// Versus: {versus.Location}.");
        for (int v = 0; v < o.Blockings.Count; v++)
            Console.WriteLine($"// Variant {v + 1}: this build with FASTNN_GEMM_BLOCKING={o.Blockings[v]}.");
        if (OpenBlas.Problem is { } problem)
            Console.WriteLine("// " + problem);
        string threads = o.Threads == 1 ? "1 thread" : $"{o.Threads} threads";
        foreach (string section in o.Sections)
        {
            switch (section)
            {
                case "float-square": Compare<float>($"float, {threads}, square", Squares(o), o); break;
                case "float-mlp": Compare<float>($"float, {threads}, MLP 784-256-256-10", GemmMlpBenchmarks<float>.Shapes, o); break;
                case "double-square": Compare<double>($"double, {threads}, square", Squares(o), o); break;
                case "double-mlp": Compare<double>($"double, {threads}, MLP 784-256-256-10", GemmMlpBenchmarks<double>.Shapes, o); break;
                case "scaling": Scaling(o.Rounds); break;
                case "cold": GemmColdReport.Run(o.Rounds, o.Versus); break;
                case "float-dot":
                    GemmDotSection.Run<float>("float, short A·Bᵀ", Filter(GemmDotSection.ShortShapes, o), o.Rounds, o.Threads, o.Versus, o.Threads > 1 ? Settle() : null);
                    GemmDotSection.Run<float>("float, narrow A·Bᵀ", Filter(GemmDotSection.NarrowShapes, o), o.Rounds, o.Threads, o.Versus, o.Threads > 1 ? Settle() : null);
                    break;
                case "double-dot":
                    GemmDotSection.Run<double>("double, short A·Bᵀ", Filter(GemmDotSection.ShortShapes, o), o.Rounds, o.Threads, o.Versus, o.Threads > 1 ? Settle() : null);
                    GemmDotSection.Run<double>("double, narrow A·Bᵀ", Filter(GemmDotSection.NarrowShapes, o), o.Rounds, o.Threads, o.Versus, o.Threads > 1 ? Settle() : null);
                    break;
            }
        }
    }

    /// <summary>The suite's square sizes, or those of --square.</summary>
    private static IEnumerable<GemmShape> Squares(Options o) => o.Squares?.Select(GemmShape.Square) ?? GemmSquareBenchmarks<float>.Shapes;

    /// <summary>The sections and options <paramref name="arguments"/> gives (all sections but the named-only ones when it names none).</summary>
    /// <exception cref="UsageException">An unknown word or an option without a valid value.</exception>
    internal static Options Parse(ModeArguments arguments)
    {
        string? versus = arguments.Text("--versus", "the path of another build's FastNN.Intrinsics.dll", File.Exists);
        string? squares = arguments.Text("--square", "sizes N,N,...", text => text.Split(',').All(n => int.TryParse(n, out int size) && size > 0));
        int threads = arguments.Threads("--threads");
        if (versus is not null && threads > 1)
            throw new UsageException($"{arguments.Mode}: --versus compares two builds on one thread: --threads {threads} is refused with it (two builds "
                + "alternated on two threads were biased: a build against itself read 0.77-0.95x; benchmarks/RESULTS.md, Run 16).");
        var o = new Options([], arguments.Count("--rounds", 21), threads, versus is null ? null : BaselineBuild.Load(versus),
            arguments.Texts("--blocking", "MC,KC,NC", text => BlockSizes.TryParseExperiment(text, 1, 1) is not null),
            squares?.Split(',').Select(int.Parse).ToArray(), arguments.Text("--only", "TEXT,TEXT,... (shape names containing one)"));
        string[] sections = [.. AllSections, .. DotSections, .. ColdSections];
        o.Sections.AddRange(arguments.Words($"sections: {string.Join(", ", sections)}", sections.Contains));
        if (o.Sections.Count == 0)
            o.Sections.AddRange(AllSections);
        return o;
    }

    /// <summary>The shapes whose name (as the tables print it) contains one of --only's comma-separated texts; all without it.</summary>
    private static IEnumerable<GemmShape> Filter(IEnumerable<GemmShape> shapes, Options o) =>
        o.Only is null ? shapes : shapes.Where(s => o.Only.Split(',').Any(text => s.ToString().Contains(text, StringComparison.Ordinal)));

    /// <summary>FastNN against OpenBLAS (and the other build, the blocking variant, the peak) per shape.</summary>
    private static void Compare<T>(string title, IEnumerable<GemmShape> shapes, Options o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Action? peak, double peakFlops, string peakName) = o.Threads == 1 ? Peak<T>() : (null, 0, "none above one thread");
        bool openBlas = OpenBlas.Problem is null;
        BlockSizes model = BlockSizes.For<T>(Isa.Path);
        BlockSizes[] variants = [.. o.Blockings.Select(text => BlockSizes.TryParseExperiment(text, model.MR, model.NR)!.Value)];
        BaselineBuild.Multiply<T>? other = o.Versus?.Gemm<T>();
        o.Versus?.SetThreads(o.Threads);
        Console.WriteLine();
        Console.WriteLine($"### {title} (peak: {peakName})");
        Console.WriteLine();
        Console.WriteLine("| Shape | FastNN GFLOP/s | OpenBLAS GFLOP/s | FastNN / OpenBLAS |" + (other is null ? "" : " FastNN / versus |")
            + string.Concat(variants.Select((_, v) => $" FastNN / variant {v + 1} |")) + " FastNN % of peak | OpenBLAS % of peak | Peak GFLOP/s |");
        Console.WriteLine("|---|---:|---:|---:|" + (other is null ? "" : "---:|") + string.Concat(variants.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (GemmShape shape in Filter(shapes, o))
        {
            // Any suite serves: the shape is set directly.
            var gemm = new GemmSquareBenchmarks<T> { Shape = shape, Threads = o.Threads };
            gemm.Setup();
            var actions = new List<Action> { variants.Length == 0 ? gemm.FastNN : () => { BlockSizes.Use<T>(Isa.Path, model); gemm.FastNN(); } };
            int iOpenBlas = -1, iOther = -1, iPeak = -1;
            var iVariants = new List<int>();
            if (openBlas)
            {
                iOpenBlas = actions.Count;
                actions.Add(gemm.OpenBLAS);
            }
            if (other is not null)
            {
                iOther = actions.Count;
                actions.Add(() => gemm.Other(other));
            }
            foreach (BlockSizes v in variants)
            {
                iVariants.Add(actions.Count);
                actions.Add(() => { BlockSizes.Use<T>(Isa.Path, v); gemm.FastNN(); });
            }
            if (peak is not null)
            {
                iPeak = actions.Count;
                actions.Add(peak);
            }
            double[][] t = PairedRounds.Measure(o.Rounds, o.Threads > 1 ? Settle() : null, [.. actions]);
            BlockSizes.Use<T>(Isa.Path, model);
            double f = shape.Flops;
            string Rate(int i) => i < 0 ? "-" : $"{PairedRounds.Median(t, x => f / x[i]) / 1e9:F1}";
            string Ratio(int i) => i < 0 ? "-" : $"{PairedRounds.Median(t, x => x[i] / x[0]):F2}x";
            string Percent(int i) => i < 0 || iPeak < 0 ? "-" : $"{PairedRounds.Median(t, x => f / x[i] / (peakFlops / x[iPeak])) * 100:F1}";
            Console.WriteLine($"| {shape} | {Rate(0)} | {Rate(iOpenBlas)} | {Ratio(iOpenBlas)} |" + (other is null ? "" : $" {Ratio(iOther)} |")
                + string.Concat(iVariants.Select(i => $" {Ratio(i)} |")) + $" {Percent(0)} | {Percent(iOpenBlas)} | " +
                $"{(iPeak < 0 ? "-" : $"{PairedRounds.Median(t, x => peakFlops / x[iPeak]) / 1e9:F1}")} |");
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
            double[][] t = PairedRounds.Measure(rounds, Settle(), [.. actions]);
            double f = shape.Flops;
            Console.WriteLine($"| {shape} | {PairedRounds.Median(t, x => f / x[0]) / 1e9:F1} | {PairedRounds.Median(t, x => f / x[1]) / 1e9:F1} | " +
                $"{PairedRounds.Median(t, x => x[0] / x[1]):F2}x | " +
                $"{(baseline ? $"{PairedRounds.Median(t, x => x[2] / x[3]):F2}x" : "-")} | {(baseline ? $"{PairedRounds.Median(t, x => x[3] / x[1]):F2}x" : "-")} |");
        }
    }

    /// <summary>
    /// A pause of 10 ms after every slice of a two-thread section, for the worker threads of the slice just timed to
    /// go to sleep: FastNN's spin for a few milliseconds after their last part (OpenBLAS's, with the timeout set
    /// here, at once), and took that from the slice that followed.
    /// </summary>
    private static Action Settle() => () => Thread.Sleep(10);

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
