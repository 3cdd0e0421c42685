using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>Layer normalization over the features of each row, as PyTorch's <c>nn.LayerNorm(features)</c>.</summary>
/// <remarks>
/// <para>Per row over its f features: <c>μ = mean(x)</c>, <c>σ² = mean((x − μ)²)</c> (biased),
/// <c>y = γ·(x − μ)/√(σ² + ε) + β</c>; the same in training and evaluation. Defaults: ε = 1e-5, γ = 1, β = 0.</para>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1 or <paramref name="eps"/> is negative.</exception>
    public LayerNorm(int features, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
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
    public int ScratchLength(int batch) => 2 * batch + 2 * Features; // per row: mean, 1/√(var + ε); two working rows

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
        Span<T> mean = buffers.Scratch[..batch];
        Span<T> rstd = buffers.Scratch.Slice(batch, batch);
        ReadOnlySpan<T> gamma = buffers.Parameters[..f];
        ReadOnlySpan<T> beta = buffers.Parameters[f..];
        T n = T.CreateTruncating(f);
        T eps = T.CreateTruncating(Eps);
        for (int r = 0; r < batch; r++)
        {
            Span<T> row = y.Slice(r * f, f);
            // μ = Σx/n;  x − μ;  rstd = 1/√(Σ(x − μ)²/n + ε);  y = (x − μ)·rstd·γ + β
            mean[r] = TensorPrimitives.Sum(x.Slice(r * f, f)) / n;
            TensorPrimitives.Subtract(x.Slice(r * f, f), mean[r], row);
            rstd[r] = T.One / T.Sqrt(TensorPrimitives.SumOfSquares<T>(row) / n + eps);
            TensorPrimitives.Multiply(row, rstd[r], row);
            TensorPrimitives.MultiplyAdd(row, gamma, beta, row);
        }
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        int f = Features;
        ReadOnlySpan<T> mean = buffers.Scratch[..batch];
        ReadOnlySpan<T> rstd = buffers.Scratch.Slice(batch, batch);
        Span<T> xHat = buffers.Scratch.Slice(2 * batch, f);
        Span<T> dxHat = buffers.Scratch.Slice(2 * batch + f, f);
        ReadOnlySpan<T> gamma = buffers.Parameters[..f];
        Span<T> dGamma = buffers.Gradients[..f];
        Span<T> dBeta = buffers.Gradients[f..];
        T n = T.CreateTruncating(f);
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<T> dyRow = dy.Slice(r * f, f);
            // x̂ = (x − μ)·rstd;  dγ += dy·x̂;  dβ += dy
            TensorPrimitives.Subtract(x.Slice(r * f, f), mean[r], xHat);
            TensorPrimitives.Multiply(xHat, rstd[r], xHat);
            TensorPrimitives.MultiplyAdd(dyRow, xHat, dGamma, dGamma);
            TensorPrimitives.Add(dBeta, dyRow, dBeta);
            if (dx.IsEmpty)
                continue;
            // dx̂ = dy·γ;  dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
            TensorPrimitives.Multiply(dyRow, gamma, dxHat);
            T meanDxHat = TensorPrimitives.Sum<T>(dxHat) / n;
            T meanDxHatXHat = TensorPrimitives.Dot<T>(dxHat, xHat) / n;
            Span<T> dxRow = dx.Slice(r * f, f);
            TensorPrimitives.MultiplyAdd(xHat, -meanDxHatXHat, dxHat, dxRow);
            TensorPrimitives.Subtract(dxRow, meanDxHat, dxRow);
            TensorPrimitives.Multiply(dxRow, rstd[r], dxRow);
        }
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "LayerNorm");
        writer.WriteNumber("normalized_shape", Features);
        writer.WriteNumber("eps", Eps);
    }
}
