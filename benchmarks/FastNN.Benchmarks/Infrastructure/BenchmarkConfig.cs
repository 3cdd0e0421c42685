using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Filters;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FastNN.Benchmarks.Baselines;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>The one configuration every FastNN suite runs with.</summary>
/// <remarks>
/// In-process: no per-benchmark project build or process start, so the whole suite stays within minutes, and
/// the environment the user starts the host with (DOTNET_EnableAVX512=0, FASTNN_NUM_THREADS, OPENBLAS_*)
/// is the one measured. Short but stable: 3 warm-up and 12 measured iterations of about 100 ms each, medians
/// reported. No unrolling: every case here takes microseconds or more, and the default unroll of 16 would
/// make a slow case run 16 times per iteration. Benchmarks whose hardware or library is absent are filtered
/// out with a message, never failed.
/// </remarks>
public sealed class BenchmarkConfig : ManualConfig
{
    /// <summary>Benchmarks needing 512-bit vectors carry this category.</summary>
    public const string Vector512Category = "Vector512";

    /// <summary>Benchmarks needing 256-bit vectors carry this category.</summary>
    public const string Vector256Category = "Vector256";

    /// <summary>
    /// Set to 1 to run each benchmark in its own process (BenchmarkDotNet's default toolchain: one project
    /// build per run, a process per case; slower).
    /// </summary>
    public const string OutOfProcessVariable = "FASTNN_BENCH_OUT_OF_PROCESS";

    /// <summary>Builds the configuration and reports, on the console, what it skips and why.</summary>
    public BenchmarkConfig()
    {
        Job job = Job.Default;
        if (Environment.GetEnvironmentVariable(OutOfProcessVariable) != "1")
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
        AddJob(job
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithUnrollFactor(1)
            .WithId("FastNN"));

        AddLogger(ConsoleLogger.Default);
        AddExporter(MarkdownExporter.GitHub, CsvExporter.Default);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumnProvider(DefaultColumnProviders.Descriptor, DefaultColumnProviders.Params);
        AddColumn(StatisticColumn.Median, StatisticColumn.StdDev, ThroughputColumn.Gflops,
            ThroughputColumn.GigabytesPerSecond, BaselineRatioColumn.RatioMean);
        AddColumnProvider(DefaultColumnProviders.Metrics);
        AddColumn(ThreadAllocationColumn.Instance);
        WithOrderer(new InterleavedOrderer());
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));

        var skipped = new List<string>();
        if (OpenBlas.Problem is { } problem)
            skipped.Add(problem);
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            skipped.Add("Vector512 is not hardware-accelerated in this process: 512-bit benchmarks skipped.");
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            skipped.Add("Vector256 is not hardware-accelerated in this process: 256-bit benchmarks skipped.");
        foreach (string reason in skipped)
            Console.WriteLine("// FastNN.Benchmarks: " + reason);

        AddFilter(new SimpleFilter(b =>
            (OpenBlas.Problem is null || !b.Descriptor.HasCategory(OpenBlas.Category))
            && (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || !b.Descriptor.HasCategory(Vector512Category))
            && (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated || !b.Descriptor.HasCategory(Vector256Category))));
    }
}
