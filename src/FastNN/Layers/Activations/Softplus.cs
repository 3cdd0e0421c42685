using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Softplus, as <c>nn.Softplus</c>: <c>y = log(1 + e^(β·x))/β</c>, and <c>y = x</c> where <c>β·x &gt; threshold</c>.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Softplus<T> : ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="beta">β (default 1).</param>
    /// <param name="threshold">Above <c>β·x &gt; threshold</c> the layer is the identity (default 20); finite, as a double.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, <paramref name="beta"/> is not positive and finite in <typeparamref name="T"/>, or <paramref name="threshold"/> is NaN or infinite.</exception>
    public Softplus(int features, double beta = 1.0, double threshold = 20.0) : base(features)
    {
        Beta = beta;
        Threshold = threshold;
        _beta = T.CreateTruncating(beta);
        _threshold = T.CreateTruncating(threshold);
        if (!T.IsFinite(_beta) || _beta <= T.Zero)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"beta must be positive and finite (as {typeof(T).Name}).");
        // Finite as a double: a model description holds it as a JSON number, which cannot be ∞ (one past T's range is
        // ±∞ in T, and works as such).
        if (!double.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be finite (a model description holds it as a JSON number).");
    }

    private readonly T _beta;
    private readonly T _threshold;

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>Where the layer turns into the identity.</summary>
    public double Threshold { get; }

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => Activations.Softplus(x, y, _beta, _threshold);

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            Activations.SoftplusBackward(x, dy, dx, _beta, _threshold);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Softplus");
        writer.WriteNumber("beta", Beta);
        writer.WriteNumber("threshold", Threshold);
    }
}
