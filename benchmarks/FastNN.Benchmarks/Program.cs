using BenchmarkDotNet.Running;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;

// Before anything loads OpenBLAS: it reads its core type and thread pool size only when it loads.
string openBlasEnvironment = OpenBlas.ConfigureEnvironment();
Console.WriteLine($"// FastNN.Benchmarks: ISA path {FastNN.Intrinsics.Gemm.SelectedPath}, {Environment.ProcessorCount} processors, " +
    $"OpenBLAS core {OpenBlas.CoreName} ({openBlasEnvironment}).");

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
