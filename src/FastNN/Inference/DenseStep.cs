using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Inference;

/// <summary>
/// A Dense layer and the activation after it, fused: <c>y = f(x Wᵀ + b)</c> with W prepacked once
/// (<see cref="Gemm.Prepack{T}"/>) and the bias and f applied by the kernel (<see cref="Gemm.MultiplyPrepacked{T}"/>).
/// </summary>
internal sealed class DenseStep<T> : InferenceStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PrepackedMatrix<T> _weight;
    private readonly T[] _bias;
    private readonly Activation _activation;
    private readonly string _name;

    /// <param name="weight">W, <c>[out, in]</c> as <c>nn.Linear</c>; copied.</param>
    /// <param name="bias">b, <c>[out]</c>, or empty; copied.</param>
    /// <param name="inputSize">in.</param>
    /// <param name="outputSize">out.</param>
    /// <param name="activation">f.</param>
    /// <param name="name">What the step came from, such as <c>0 Dense + 1 Relu</c>.</param>
    public DenseStep(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, int inputSize, int outputSize, Activation activation, string name)
        : base(inputSize, outputSize)
    {
        _weight = Gemm.Prepack(true, inputSize, outputSize, weight, inputSize);
        _bias = bias.ToArray();
        _activation = activation;
        _name = name;
    }

    public override string Name => _name;

    public override int ScratchLength(int rows) => _weight.WorkspaceLength;

    public override void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> scratch) =>
        Gemm.MultiplyPrepacked(rows, x, InputSize, _weight, _bias, _activation, y, OutputSize, scratch);
}
