using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Exponential linear unit, as <c>nn.ELU</c>: <c>y = x</c> for x &gt; 0, else <c>α·(e^x − 1)</c>.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Elu<T> : ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="alpha">α (default 1, PyTorch's).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, or <paramref name="alpha"/> is not finite in <typeparamref name="T"/>.</exception>
    public Elu(int features, double alpha = 1.0) : base(features)
    {
        Alpha = alpha;
        _alpha = T.CreateTruncating(alpha);
        if (!T.IsFinite(_alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha must be finite (as {typeof(T).Name}).");
    }

    private readonly T _alpha;

    /// <summary>α, the value approached as x → −∞ is −α.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.Elu(x, y, _alpha);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.EluBackward(x, dy, dx, _alpha);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "ELU");
        writer.WriteNumber("alpha", Alpha);
    }
}
