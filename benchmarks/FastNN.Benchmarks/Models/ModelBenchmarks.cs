using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// The 784-256-256-10 ReLU MLP in float at batch 64 and 256: forward, backward, and a training step
/// (zero gradients, forward, softmax cross-entropy, backward); plus the first Dense layer (784→256) alone.
/// Every method must allocate nothing (see the Alloc/op (thread) column). The input gradient of the first
/// layer is not computed, as in training (PyTorch does not compute it for an input without requires_grad).
/// </summary>
public class ModelBenchmarks : IWorkload
{
    private static readonly int[] Widths = [784, 256, 256, 10];

    private Sequential<float> _mlp = null!, _dense = null!;
    private readonly SoftmaxCrossEntropyLoss<float> _loss = new();
    private float[] _input = [], _labels = [], _outputGradient = [], _denseGradient = [];

    /// <summary>Rows per batch.</summary>
    [Params(64, 256)]
    public int Batch { get; set; }

    /// <summary>Threads FastNN's GEMM may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the models once, with random inputs and labels, and runs one forward so Backward has its input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        global::FastNN.Intrinsics.Parallelism.MaxThreads = Threads;
        _mlp = new Sequential<float>(
            [new Dense<float>(784, 256), new Relu<float>(256), new Dense<float>(256, 256), new Relu<float>(256), new Dense<float>(256, 10)],
            Batch, seed: 1) { ComputeInputGradient = false };
        _dense = new Sequential<float>([new Dense<float>(784, 256)], Batch, seed: 2) { ComputeInputGradient = false };
        var random = new Random(0);
        _input = new float[Batch * 784];
        for (int i = 0; i < _input.Length; i++)
            _input[i] = (float)random.NextDouble();
        _labels = new float[Batch];
        for (int i = 0; i < Batch; i++)
            _labels[i] = random.Next(10);
        _outputGradient = new float[Batch * 10];
        _denseGradient = new float[Batch * 256];
        for (int i = 0; i < _denseGradient.Length; i++)
            _denseGradient[i] = (float)(random.NextDouble() - 0.5);
        _loss.Compute(_mlp.Forward(_input, Batch), _labels, _outputGradient, Batch);
        _dense.Forward(_input, Batch);
    }

    /// <summary>MLP forward.</summary>
    [Benchmark]
    public void MlpForward() => _mlp.Forward(_input, Batch);

    /// <summary>MLP backward of the last forward (gradients accumulate).</summary>
    [Benchmark]
    public void MlpBackward() => _mlp.Backward(_outputGradient, Batch);

    /// <summary>Zero gradients, forward, softmax cross-entropy, backward.</summary>
    [Benchmark]
    public void MlpTrainingStep()
    {
        _mlp.ZeroGrad();
        LastLoss = _loss.Compute(_mlp.Forward(_input, Batch), _labels, _outputGradient, Batch);
        _mlp.Backward(_outputGradient, Batch);
    }

    /// <summary>The loss of the last training step (kept so the step's result is used).</summary>
    public float LastLoss { get; private set; }

    /// <summary>Dense 784→256 forward (GEMM + bias).</summary>
    [Benchmark]
    public void DenseForward() => _dense.Forward(_input, Batch);

    /// <summary>Dense 784→256 backward: weight and bias gradients.</summary>
    [Benchmark]
    public void DenseBackward() => _dense.Backward(_denseGradient, Batch);

    /// <inheritdoc/>
    public double Flops(string method)
    {
        double forward = 0, inputGradients = 0;
        for (int l = 0; l + 1 < Widths.Length; l++)
        {
            forward += 2.0 * Batch * Widths[l] * Widths[l + 1];
            if (l > 0)
                inputGradients += 2.0 * Batch * Widths[l] * Widths[l + 1];
        }
        double dense = 2.0 * Batch * 784 * 256;
        return method switch
        {
            nameof(MlpForward) => forward,
            nameof(MlpBackward) => forward + inputGradients,
            nameof(MlpTrainingStep) => 2 * forward + inputGradients,
            nameof(DenseForward) or nameof(DenseBackward) => dense,
            _ => 0,
        };
    }

    /// <inheritdoc/>
    public double Bytes(string method) => 0;
}
