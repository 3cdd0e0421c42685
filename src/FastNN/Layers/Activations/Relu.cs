using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Rectified linear unit, as <c>nn.ReLU</c>: <c>y = max(x, 0)</c>; the derivative at 0 is 0, as PyTorch.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Relu<T> : ActivationLayer<T>, IOutputDerivative where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public Relu(int features) : base(features)
    {
    }

    Activation IOutputDerivative.Activation => Activation.Relu;

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.Relu(x, y);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.ReluBackward(x, dy, dx);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "ReLU");
    }
}
