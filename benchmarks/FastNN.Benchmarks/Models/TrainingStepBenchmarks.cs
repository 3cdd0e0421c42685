using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// Issue 15's training-step workloads (<see cref="StepWorkload"/>) as a BenchmarkDotNet suite: median, GFLOP/s of the
/// GEMM work and bytes allocated per call, one and two threads. The ratios to PyTorch and to OpenBLAS's SGEMM rate come
/// from the paired report, <c>-- step</c>, which times the same workloads side by side with them.
/// </summary>
public class TrainingStepBenchmarks : IWorkload
{
    private StepWorkload _workload = null!;

    /// <summary>The workload (see <see cref="StepWorkload"/>).</summary>
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "mlp64";

    /// <summary>Every workload.</summary>
    public static IEnumerable<string> Workloads => StepWorkload.Names;

    /// <summary>Threads FastNN may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the workload and caps the threads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        global::FastNN.Intrinsics.Parallelism.MaxThreads = Threads;
        _workload = StepWorkload.Create(Workload);
    }

    /// <summary>One training step (for <c>fit</c>, one epoch).</summary>
    [Benchmark]
    public void Step() => _workload.Step();

    /// <inheritdoc/>
    public double Flops(string method) => StepWorkload.FlopsOf(Workload);

    /// <inheritdoc/>
    public double Bytes(string method) => 0;
}
