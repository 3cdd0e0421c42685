using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Hyperbolic tangent, as <c>nn.Tanh</c>; the backward pass uses the saved output, <c>dx = dy·(1 − y²)</c>.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Tanh<T> : ActivationLayer<T>, IOutputDerivative where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public Tanh(int features) : base(features)
    {
    }

    Activation IOutputDerivative.Activation => Activation.Tanh;

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.Tanh(x, y);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.TanhBackward(y, dy, dx);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Tanh");
    }
}
