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

if (args.Length > 0 && args[0] == "paired")
{
    FastNN.Benchmarks.Gemm.GemmPairedReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "soak")
{
    FastNN.Benchmarks.Models.SoakReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "step")
{
    FastNN.Benchmarks.Models.StepReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "step-threads")
{
    FastNN.Benchmarks.Models.StepProfile.RunThreads(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "step-versus")
{
    FastNN.Benchmarks.Models.StepVersusReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "layers")
{
    FastNN.Benchmarks.Layers.LayerReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "elementwise")
{
    FastNN.Benchmarks.Elementwise.ElementwiseReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "csv-gzip")
{
    FastNN.Benchmarks.Data.CsvGzipReport.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "inference")
{
    FastNN.Benchmarks.Inference.InferenceReport.Run(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
