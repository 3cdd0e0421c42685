using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>A fully connected layer, as PyTorch's <c>nn.Linear</c>: <c>y = x Wᵀ + b</c>.</summary>
/// <remarks>
/// Parameters: <c>weight</c> <c>[out, in]</c> and, when <see cref="HasBias"/>, <c>bias</c> <c>[out]</c>.
/// Initialized as <c>nn.Linear</c> by default: both uniform in <c>(−1/√in, 1/√in)</c>.
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own buffers.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Dense<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterDeclaration[] _parameters;

    /// <summary>Creates a layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/> features.</summary>
    /// <param name="inFeatures">Input width (at least 1).</param>
    /// <param name="outFeatures">Output width (at least 1).</param>
    /// <param name="bias">Whether the layer adds a learnable bias (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException">A width is below 1.</exception>
    public Dense(int inFeatures, int outFeatures, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InputSize = inFeatures;
        OutputSize = outFeatures;
        HasBias = bias;
        var weight = new ParameterDeclaration("weight", [outFeatures, inFeatures], ParameterKind.Weight);
        _parameters = bias ? [weight, new ParameterDeclaration("bias", [outFeatures], ParameterKind.Bias)] : [weight];
    }

    /// <inheritdoc/>
    public int InputSize { get; }

    /// <inheritdoc/>
    public int OutputSize { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];

    /// <inheritdoc/>
    public int ScratchLength(int batch) => 0;

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers) => InitializeLinear(buffers.Parameters, InputSize, buffers.Context.Random);

    /// <summary>nn.Linear's default for a weight and bias (or a weight alone) over <paramref name="inputSize"/> inputs, from the model's generator.</summary>
    internal static void InitializeLinear(Span<T> parameters, int inputSize, FastRandom random)
    {
        // nn.Linear.reset_parameters: kaiming_uniform_(a=√5) gives bound 1/√in for the weight; the bias uses the same bound.
        double bound = 1.0 / Math.Sqrt(inputSize);
        foreach (ref T p in parameters)
            p = T.CreateTruncating(random.NextDouble(-bound, bound));
    }

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        // x: [batch, in], w: [out, in] (nn.Linear), b: [out] or empty, y: [batch, out]
        ReadOnlySpan<T> w = buffers.Parameters[..(OutputSize * InputSize)];
        Gemm.Multiply(false, true, batch, OutputSize, InputSize, T.One, x, InputSize, w, InputSize, T.Zero, y, OutputSize);
        if (HasBias)
            Rows.AddBias(y, buffers.Parameters[(OutputSize * InputSize)..], batch, OutputSize);
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        int weightLength = OutputSize * InputSize;
        ReadOnlySpan<T> w = buffers.Parameters[..weightLength];
        // dW += dYᵀ X
        Gemm.Multiply(true, false, OutputSize, InputSize, batch, T.One, dy, OutputSize, x, InputSize, T.One, buffers.Gradients[..weightLength], InputSize);
        // db += Σ_rows dY
        if (HasBias)
            Reductions.SumColumns(dy, batch, OutputSize, buffers.Gradients[weightLength..]);
        // dX = dY W
        if (!dx.IsEmpty)
            Gemm.Multiply(false, false, batch, InputSize, OutputSize, T.One, dy, OutputSize, w, InputSize, T.Zero, dx, InputSize);
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Linear");
        writer.WriteNumber("in_features", InputSize);
        writer.WriteNumber("out_features", OutputSize);
        writer.WriteBoolean("bias", HasBias);
    }
}
