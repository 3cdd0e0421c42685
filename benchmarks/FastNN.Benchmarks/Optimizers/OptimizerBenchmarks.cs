using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Optimizers;

namespace FastNN.Benchmarks.Optimizers;

/// <summary>
/// One optimizer step over 1M and 10M float parameters, FastNN's fused kernel against a plain per-element
/// loop (the baseline of each category), on 1 and 2 threads. GB/s counts the bytes each update must move
/// (AdamW/Adam 28 per parameter: θ, m, v read and written, g read; SGD with momentum and RMSprop 20), to set
/// beside the triad probe (run with --filter '*Optimizer*' '*Triad*'); PyTorch's figures come from
/// benchmarks/pytorch/optimizers.py.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class OptimizerBenchmarks : IWorkload
{
    private const float Lr = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, WeightDecay = 1e-2f;
    private const float SgdLr = 0.01f, Momentum = 0.9f, RmsLr = 0.01f, Alpha = 0.99f;

    private float[] _parameters = [], _gradients = [], _m = [], _v = [];
    private AdamW<float> _adamW = null!;
    private Adam<float> _adam = null!;
    private Sgd<float> _sgd = null!;
    private RmsProp<float> _rmsProp = null!;
    private long _loopStep;

    /// <summary>Parameters updated per step: 1M (fits in L3 with its state on some machines) and 10M (beyond every cache).</summary>
    [Params(1 << 20, 10 << 20)]
    public int Parameters { get; set; }

    /// <summary>Threads FastNN's kernels and the plain loops may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Random parameters and gradients; optimizers built once, so steps allocate nothing.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(0);
        _parameters = new float[Parameters];
        _gradients = new float[Parameters];
        _m = new float[Parameters];
        _v = new float[Parameters];
        for (int i = 0; i < Parameters; i++)
        {
            _parameters[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            _gradients[i] = (float)(random.NextDouble() - 0.5) * 0.02f;
        }
        _adamW = new AdamW<float>(Parameters);
        _adam = new Adam<float>(Parameters);
        _sgd = new Sgd<float>(Parameters, learningRate: SgdLr, momentum: Momentum);
        _rmsProp = new RmsProp<float>(Parameters);
        global::FastNN.Intrinsics.Parallelism.MaxThreads = Threads;
    }

    /// <summary>FastNN's fused AdamW step.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("AdamW")]
    public void AdamW() => _adamW.Step(_parameters, _gradients);

    /// <summary>AdamW as a plain per-element loop.</summary>
    [Benchmark(Baseline = true, Description = "Loop"), BenchmarkCategory("AdamW")]
    public void AdamWLoop()
    {
        long step = ++_loopStep;
        Partitioned.Run(Parameters, Threads, (start, length) => PlainOptimizerLoops.AdamW(
            _parameters.AsSpan(start, length), _gradients.AsSpan(start, length), _m.AsSpan(start, length),
            _v.AsSpan(start, length), step, Lr, Beta1, Beta2, Eps, WeightDecay));
    }

    /// <summary>FastNN's fused Adam step (coupled weight decay 0).</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Adam")]
    public void Adam() => _adam.Step(_parameters, _gradients);

    /// <summary>Adam as a plain per-element loop.</summary>
    [Benchmark(Baseline = true, Description = "Loop"), BenchmarkCategory("Adam")]
    public void AdamLoop()
    {
        long step = ++_loopStep;
        Partitioned.Run(Parameters, Threads, (start, length) => PlainOptimizerLoops.AdamW(
            _parameters.AsSpan(start, length), _gradients.AsSpan(start, length), _m.AsSpan(start, length),
            _v.AsSpan(start, length), step, Lr, Beta1, Beta2, Eps, 0));
    }

    /// <summary>FastNN's fused SGD step, momentum 0.9.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Sgd")]
    public void Sgd() => _sgd.Step(_parameters, _gradients);

    /// <summary>SGD with momentum as a plain per-element loop.</summary>
    [Benchmark(Baseline = true, Description = "Loop"), BenchmarkCategory("Sgd")]
    public void SgdLoop() =>
        Partitioned.Run(Parameters, Threads, (start, length) => PlainOptimizerLoops.Sgd(
            _parameters.AsSpan(start, length), _gradients.AsSpan(start, length), _m.AsSpan(start, length), SgdLr, Momentum));

    /// <summary>FastNN's fused RMSprop step (defaults).</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("RmsProp")]
    public void RmsProp() => _rmsProp.Step(_parameters, _gradients);

    /// <summary>RMSprop as a plain per-element loop.</summary>
    [Benchmark(Baseline = true, Description = "Loop"), BenchmarkCategory("RmsProp")]
    public void RmsPropLoop() =>
        Partitioned.Run(Parameters, Threads, (start, length) => PlainOptimizerLoops.RmsProp(
            _parameters.AsSpan(start, length), _gradients.AsSpan(start, length), _v.AsSpan(start, length), RmsLr, Alpha, Eps));

    /// <inheritdoc/>
    public double Flops(string method) => 0;

    /// <inheritdoc/>
    public double Bytes(string method) =>
        (double)Parameters * sizeof(float) * (method.StartsWith("Adam", StringComparison.Ordinal) ? 7 : 5);
}
