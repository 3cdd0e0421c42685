using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Elementwise;

/// <summary>
/// Activation forward and fused backward over 1M floats (4 MB per array), one thread. Where
/// TensorPrimitives has the operation it is the category's baseline (Ratio = FastNN time / TensorPrimitives
/// time); for the backward of sigmoid and tanh the baseline is the same derivative composed from three
/// TensorPrimitives passes, what one writes without a fused kernel. PyTorch's figures come from
/// benchmarks/pytorch/activations.py.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ActivationBenchmarks : IWorkload
{
    /// <summary>Elements per array.</summary>
    public const int Length = 1 << 20;

    private const float LeakySlope = 0.01f, EluAlpha = 1f, SoftplusBeta = 1f, SoftplusThreshold = 20f;

    private float[] _x = [], _y = [], _dy = [], _dx = [], _scratch = [];

    /// <summary>x ~ 3·N(0, 1) as PyTorch's script, so every branch of every activation is taken; dy ~ N(0, 1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        // One thread as the header says: the compute-bound maps would otherwise split across all cores.
        Parallelism.MaxThreads = 1;
        var random = new Random(0);
        _x = new float[Length];
        _dy = new float[Length];
        _y = new float[Length];
        _dx = new float[Length];
        _scratch = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            _x[i] = 3 * Normal(random);
            _dy[i] = Normal(random);
        }
        // Saved outputs for the backward passes that take y (sigmoid, tanh) are written by each forward first.
    }

    /// <summary>FastNN sigmoid.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Sigmoid")]
    public void Sigmoid() => Activations.Sigmoid<float>(_x, _y);

    /// <summary>TensorPrimitives.Sigmoid.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives"), BenchmarkCategory("Sigmoid")]
    public void SigmoidTensorPrimitives() => TensorPrimitives.Sigmoid(_x, _y);

    /// <summary>FastNN fused dx = dy·y·(1 − y).</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Sigmoid backward")]
    public void SigmoidBackward() => Activations.SigmoidBackward<float>(_y, _dy, _dx);

    /// <summary>dx = dy·y·(1 − y) in three TensorPrimitives passes.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives x3"), BenchmarkCategory("Sigmoid backward")]
    public void SigmoidBackwardTensorPrimitives()
    {
        TensorPrimitives.Subtract(1f, _y, _scratch);
        TensorPrimitives.Multiply(_y, _scratch, _scratch);
        TensorPrimitives.Multiply(_dy, _scratch, _dx);
    }

    /// <summary>FastNN tanh.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Tanh")]
    public void Tanh() => Activations.Tanh<float>(_x, _y);

    /// <summary>TensorPrimitives.Tanh.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives"), BenchmarkCategory("Tanh")]
    public void TanhTensorPrimitives() => TensorPrimitives.Tanh(_x, _y);

    /// <summary>FastNN fused dx = dy·(1 − y²).</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Tanh backward")]
    public void TanhBackward() => Activations.TanhBackward<float>(_y, _dy, _dx);

    /// <summary>dx = dy·(1 − y²) in three TensorPrimitives passes.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives x3"), BenchmarkCategory("Tanh backward")]
    public void TanhBackwardTensorPrimitives()
    {
        TensorPrimitives.Multiply(_y, _y, _scratch);
        TensorPrimitives.Subtract(1f, _scratch, _scratch);
        TensorPrimitives.Multiply(_dy, _scratch, _dx);
    }

    /// <summary>FastNN ReLU.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Relu")]
    public void Relu() => Activations.Relu<float>(_x, _y);

    /// <summary>ReLU as TensorPrimitives.Max(x, 0).</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives"), BenchmarkCategory("Relu")]
    public void ReluTensorPrimitives() => TensorPrimitives.Max(_x, 0f, _y);

    /// <summary>FastNN fused dx = dy·[x &gt; 0].</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Relu backward")]
    public void ReluBackward() => Activations.ReluBackward<float>(_x, _dy, _dx);

    /// <summary>FastNN LeakyReLU, slope 0.01.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("LeakyRelu")]
    public void LeakyRelu() => Activations.LeakyRelu(_x, _y, LeakySlope);

    /// <summary>FastNN fused LeakyReLU backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("LeakyRelu backward")]
    public void LeakyReluBackward() => Activations.LeakyReluBackward(_x, _dy, _dx, LeakySlope);

    /// <summary>FastNN ELU, alpha 1.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Elu")]
    public void Elu() => Activations.Elu(_x, _y, EluAlpha);

    /// <summary>FastNN fused ELU backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Elu backward")]
    public void EluBackward() => Activations.EluBackward(_x, _dy, _dx, EluAlpha);

    /// <summary>FastNN GELU, erf form.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Gelu")]
    public void Gelu() => Activations.Gelu<float>(_x, _y);

    /// <summary>FastNN fused GELU backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Gelu backward")]
    public void GeluBackward() => Activations.GeluBackward<float>(_x, _dy, _dx);

    /// <summary>FastNN GELU, tanh approximation.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("GeluTanh")]
    public void GeluTanh() => Activations.GeluTanh<float>(_x, _y);

    /// <summary>FastNN fused GELU (tanh) backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("GeluTanh backward")]
    public void GeluTanhBackward() => Activations.GeluTanhBackward<float>(_x, _dy, _dx);

    /// <summary>FastNN SiLU.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Silu")]
    public void Silu() => Activations.Silu<float>(_x, _y);

    /// <summary>FastNN fused SiLU backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Silu backward")]
    public void SiluBackward() => Activations.SiluBackward<float>(_x, _dy, _dx);

    /// <summary>FastNN softplus, beta 1, threshold 20.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Softplus")]
    public void Softplus() => Activations.Softplus(_x, _y, SoftplusBeta, SoftplusThreshold);

    /// <summary>FastNN fused softplus backward.</summary>
    [Benchmark(Description = "FastNN"), BenchmarkCategory("Softplus backward")]
    public void SoftplusBackward() => Activations.SoftplusBackward(_x, _dy, _dx, SoftplusBeta, SoftplusThreshold);

    /// <inheritdoc/>
    public double Flops(string method) => 0;

    /// <inheritdoc/>
    public double Bytes(string method) =>
        (double)Length * sizeof(float) * (method.Contains("Backward", StringComparison.Ordinal) ? 3 : 2);

    private static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
