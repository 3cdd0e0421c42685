using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>Layer normalization over the features of each row, as PyTorch's <c>nn.LayerNorm(features)</c>.</summary>
/// <remarks>
/// <para>Per row over its f features: <c>μ = mean(x)</c>, <c>σ² = mean((x − μ)²)</c> (biased),
/// <c>y = γ·(x − μ)/√(σ² + ε) + β</c>; the same in training and evaluation. Defaults: ε = 1e-5, γ = 1, β = 0.
/// Kernels: <see cref="Normalization.LayerNormForward{T}"/> and <see cref="Normalization.LayerNormBackward{T}"/>.</para>
/// <para>Parameters: <c>weight</c> (γ) and <c>bias</c> (β), each <c>[features]</c>.</para>
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own buffers.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class LayerNorm<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterDeclaration[] _parameters;

    /// <summary>Creates a layer normalization over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="eps">ε added to the variance (default 1e-5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1 or <paramref name="eps"/> is negative, NaN or not finite in <typeparamref name="T"/>.</exception>
    public LayerNorm(int features, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        // The kernel takes ε in T, finite: check it there, so that a layer that builds also runs.
        if (!(eps >= 0) || !T.IsFinite(T.CreateTruncating(eps)))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"eps must be finite (as {typeof(T).Name}) and non-negative.");
        Features = features;
        Eps = eps;
        _parameters = [new("weight", [features], ParameterKind.NormScale), new("bias", [features], ParameterKind.NormShift)];
    }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public int InputSize => Features;

    /// <inheritdoc/>
    public int OutputSize => Features;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];

    /// <inheritdoc/>
    public int ScratchLength(int batch) => checked(2 * batch); // per row: mean, 1/√(var + ε)

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers)
    {
        buffers.Parameters[..Features].Fill(T.One);
        buffers.Parameters[Features..].Clear();
    }

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        // x, y: [batch, features]; scratch: mean [batch], rstd [batch]
        int f = Features;
        Normalization.LayerNormForward(y, buffers.Scratch[..batch], buffers.Scratch.Slice(batch, batch), x, buffers.Parameters[..f], buffers.Parameters[f..],
            batch, f, T.CreateTruncating(Eps));
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        // scratch: mean [batch], rstd [batch] from the forward pass
        int f = Features;
        Normalization.LayerNormBackward(dx, buffers.Gradients[..f], buffers.Gradients[f..], dy, x,
            buffers.Scratch[..batch], buffers.Scratch.Slice(batch, batch), buffers.Parameters[..f], batch, f);
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "LayerNorm");
        writer.WriteNumber("normalized_shape", Features);
        writer.WriteNumber("eps", Eps);
    }
}
