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
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Forward(y, x, buffers, batch, Activation.Identity);

    /// <summary>
    /// <c>y = f(x Wᵀ + b)</c>: the product, then the bias and f in one pass over y. A chain fuses the activation layer
    /// that follows this one when f′ can be had from f's output (<see cref="IOutputDerivative"/>); the identity otherwise.
    /// </summary>
    internal void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch, Activation activation)
    {
        // x: [batch, in], w: [out, in] (nn.Linear), b: [out] or empty, y: [batch, out]
        ReadOnlySpan<T> w = buffers.Parameters[..(OutputSize * InputSize)];
        Gemm.Multiply(false, true, batch, OutputSize, InputSize, T.One, x, InputSize, w, InputSize, T.Zero, y, OutputSize);
        if (HasBias || activation.Kind != ActivationKind.Identity)
            Rows.AddBiasActivation<T>(y, HasBias ? buffers.Parameters[(OutputSize * InputSize)..] : default, batch, OutputSize, activation);
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch) =>
        Backward(dx, default, dy, x, y, buffers, batch, Activation.Identity, accumulate: true);

    /// <summary>
    /// The backward pass of this layer and the activation f after it, fused: <c>dz = dy·f′</c> from f's output
    /// <paramref name="y"/> and <c>db (+)= Σ dz</c> in one pass (<see cref="Rows.ActivationGradient{T}"/>), then the products.
    /// </summary>
    /// <param name="dx">Gradient with respect to the input, overwritten; empty to skip it.</param>
    /// <param name="dz">Scratch [batch, out] for the gradient with respect to the pre-activation (may be <paramref name="dy"/>); unused for the identity, whose dz is dy.</param>
    /// <param name="dy">Gradient with respect to f's output.</param>
    /// <param name="x">This layer's input.</param>
    /// <param name="y">f's output.</param>
    /// <param name="buffers">This layer's slices.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="activation">f (the identity when no activation is fused).</param>
    /// <param name="accumulate">Add to the parameter gradients (the <see cref="ILayer{T}"/> contract) or overwrite them (for a step that would have zeroed them first: the same values, but that a zero is never −0).</param>
    internal void Backward(Span<T> dx, Span<T> dz, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch,
        Activation activation, bool accumulate)
    {
        Span<T> biasGradient = HasBias ? buffers.Gradients[(OutputSize * InputSize)..] : default;
        if (activation.Kind != ActivationKind.Identity)
        {
            Rows.ActivationGradient(y, dy, dz, biasGradient, batch, OutputSize, activation, accumulate);
            Products(dx, dz, x, buffers, batch, accumulate);
            return;
        }
        // db (+)= Σ_rows dY
        if (HasBias)
        {
            if (!accumulate)
                biasGradient.Clear();
            Reductions.SumColumns(dy, batch, OutputSize, biasGradient);
        }
        Products(dx, dy, x, buffers, batch, accumulate);
    }

    // dW (+)= dZᵀ X, then dX = dZ W
    private void Products(Span<T> dx, ReadOnlySpan<T> dz, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch, bool accumulate)
    {
        int weightLength = OutputSize * InputSize;
        Gemm.Multiply(true, false, OutputSize, InputSize, batch, T.One, dz, OutputSize, x, InputSize, accumulate ? T.One : T.Zero,
            buffers.Gradients[..weightLength], InputSize);
        if (!dx.IsEmpty)
            Gemm.Multiply(false, false, batch, InputSize, OutputSize, T.One, dz, OutputSize, buffers.Parameters[..weightLength], InputSize, T.Zero, dx, InputSize);
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Linear");
        writer.WriteNumber("in_features", InputSize);
        writer.WriteNumber("out_features", OutputSize);
        writer.WriteBoolean("bias", HasBias);
    }
}
