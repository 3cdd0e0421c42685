using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Leaky ReLU, as <c>nn.LeakyReLU</c>: <c>y = x</c> for x &gt; 0, else <c>negativeSlope·x</c>; the derivative at 0 is the slope, as PyTorch.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class LeakyRelu<T> : ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="negativeSlope">Slope for negative inputs (default 0.01, PyTorch's).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, or <paramref name="negativeSlope"/> is not finite in <typeparamref name="T"/>.</exception>
    public LeakyRelu(int features, double negativeSlope = 0.01) : base(features)
    {
        NegativeSlope = negativeSlope;
        _slope = T.CreateTruncating(negativeSlope);
        if (!T.IsFinite(_slope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, $"negativeSlope must be finite (as {typeof(T).Name}).");
    }

    private readonly T _slope;

    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.LeakyRelu(x, y, _slope);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.LeakyReluBackward(x, dy, dx, _slope);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "LeakyReLU");
        writer.WriteNumber("negative_slope", NegativeSlope);
    }
}
