using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Logistic sigmoid, as <c>nn.Sigmoid</c>: <c>y = 1/(1 + e^(−x))</c>; the backward pass uses the saved output, <c>dx = dy·y·(1 − y)</c>.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sigmoid<T> : ActivationLayer<T>, IOutputDerivative where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public Sigmoid(int features) : base(features)
    {
    }

    Activation IOutputDerivative.Activation => Activation.Sigmoid;

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.Sigmoid(x, y);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.SigmoidBackward(y, dy, dx);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Sigmoid");
    }
}
