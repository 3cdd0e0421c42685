using System.Numerics;
using System.Text.Json;

namespace FastNN.Layers;

/// <summary>The common shape of the built-in activation layers: <c>[batch, features]</c> in and out, no state, no scratch (the backward pass reads the saved input or output).</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class ActivationLayer<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Sets the width.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    private protected ActivationLayer(int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Features = features;
    }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <inheritdoc/>
    public int InputSize => Features;

    /// <inheritdoc/>
    public int OutputSize => Features;

    /// <inheritdoc/>
    public virtual IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];

    /// <inheritdoc/>
    public int ScratchLength(int batch) => 0;

    /// <inheritdoc/>
    public virtual void Initialize(LayerBuffers<T> buffers)
    {
    }

    /// <inheritdoc/>
    public abstract void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch);

    /// <inheritdoc/>
    public abstract void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch);

    private protected abstract void WriteJson(Utf8JsonWriter writer);

    void IJsonLayer.Write(Utf8JsonWriter writer) => WriteJson(writer);
}
