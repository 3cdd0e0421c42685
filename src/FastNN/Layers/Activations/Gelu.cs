using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Gaussian error linear unit, as <c>nn.GELU</c>: <c>y = x·Φ(x)</c> with the exact erf form, or the tanh approximation when asked.</summary>
/// <remarks>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers
/// each call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Gelu<T> : ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="tanhApproximation">Use <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>, as <c>approximate="tanh"</c> (default false: exact).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public Gelu(int features, bool tanhApproximation = false) : base(features)
    {
        TanhApproximation = tanhApproximation;
    }

    /// <summary>Whether the tanh approximation is used.</summary>
    public bool TanhApproximation { get; }

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        if (TanhApproximation)
            Activations.GeluTanh(x, y);
        else
            Activations.Gelu(x, y);
    }

    /// <inheritdoc/>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (dx.IsEmpty)
            return;
        if (TanhApproximation)
            Activations.GeluTanhBackward(x, dy, dx);
        else
            Activations.GeluBackward(x, dy, dx);
    }

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "GELU");
        writer.WriteString("approximate", TanhApproximation ? "tanh" : "none");
    }
}
