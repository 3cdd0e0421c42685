using BenchmarkDotNet.Running;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;

bool paired = args.Length > 0 && args[0] is "paired" or "step";
// Before anything loads OpenBLAS: it reads its core type, thread pool size and thread timeout only when it loads.
if (paired)
    FastNN.Benchmarks.Gemm.GemmPairedReport.ConfigureEnvironment();
string openBlasEnvironment = OpenBlas.ConfigureEnvironment();
Console.WriteLine($"// FastNN.Benchmarks: ISA path {FastNN.Intrinsics.Gemm.SelectedPath}, {Environment.ProcessorCount} processors, " +
    $"OpenBLAS core {OpenBlas.CoreName} ({openBlasEnvironment}).");

var modes = new Dictionary<string, Action<ModeArguments>>
{
    ["paired"] = FastNN.Benchmarks.Gemm.GemmPairedReport.Run,
    ["soak"] = FastNN.Benchmarks.Models.SoakReport.Run,
    ["step"] = FastNN.Benchmarks.Models.StepReport.Run,
    ["step-threads"] = FastNN.Benchmarks.Models.StepProfile.RunThreads,
    ["step-versus"] = FastNN.Benchmarks.Models.StepVersusReport.Run,
    ["placement"] = FastNN.Benchmarks.Models.PlacementReport.Run,
    ["layers"] = FastNN.Benchmarks.Layers.LayerReport.Run,
    ["elementwise"] = FastNN.Benchmarks.Elementwise.ElementwiseReport.Run,
    ["csv-gzip"] = FastNN.Benchmarks.Data.CsvGzipReport.Run,
    ["inference"] = FastNN.Benchmarks.Inference.InferenceReport.Run,
};
if (args.Length > 0 && modes.TryGetValue(args[0], out Action<ModeArguments>? run))
{
    try
    {
        run(new ModeArguments(args[0], args[1..]));
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine(e.Message);
        Environment.ExitCode = 2;
    }
    return;
}
// BenchmarkDotNet takes options only: a first word that is no mode (a typo) would get its menu of suites, which runs
// nothing and exits 0 when no one answers it.
if (args.Length > 0 && !args[0].StartsWith('-'))
{
    Console.Error.WriteLine($"FastNN.Benchmarks: unknown mode '{args[0]}': expected one of {string.Join(", ", modes.Keys)}, " +
        "or BenchmarkDotNet's options (e.g. --filter '*GemmSquare*', --list flat, --help).");
    Environment.ExitCode = 2;
    return;
}
if (args.Length > 0 && args[0] == "--help")
    Console.WriteLine($"// Paired-round modes (first word; see benchmarks/RESULTS.md, How to run): {string.Join(", ", modes.Keys)}. " +
        "Anything else goes to BenchmarkDotNet, e.g. --filter '*GemmSquare*' '*PeakFma*':");

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
