using System.Numerics;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>Batch normalization over the batch dimension of <c>[batch, features]</c>, as PyTorch's <c>nn.BatchNorm1d</c>.</summary>
/// <remarks>
/// <para>Training mode, per feature c over the batch of n rows:</para><code>
/// μ = mean(x)      σ² = mean((x − μ)²) (biased)      y = γ·(x − μ)/√(σ² + ε) + β
/// running_mean ← (1 − m)·running_mean + m·μ      running_var ← (1 − m)·running_var + m·σ²·n/(n − 1) (unbiased)
/// num_batches_tracked ← num_batches_tracked + 1
/// </code><para>Evaluation mode uses the running statistics: <c>y = γ·(x − running_mean)/√(running_var + ε) + β</c>.
/// Defaults: ε = 1e-5, m = 0.1, γ = 1, β = 0, running_mean = 0, running_var = 1. Training needs at least 2 rows,
/// as in PyTorch.</para>
/// <para>Parameters: <c>weight</c> (γ) and <c>bias</c> (β), each <c>[features]</c>. State: <c>running_mean</c>,
/// <c>running_var</c> (<c>[features]</c>) and <c>num_batches_tracked</c> (a scalar held as <typeparamref name="T"/>).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class BatchNorm1d<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterDeclaration[] _parameters;
    private readonly StateDeclaration[] _state;

    /// <summary>Creates a batch normalization over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="eps">ε added to the variance (default 1e-5).</param>
    /// <param name="momentum">m, the weight of the new batch in the running statistics (default 0.1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, <paramref name="eps"/> is negative or <paramref name="momentum"/> is outside [0, 1].</exception>
    public BatchNorm1d(int features, double eps = 1e-5, double momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1].");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        _parameters = [new("weight", [features], ParameterKind.NormScale), new("bias", [features], ParameterKind.NormShift)];
        _state = [new("running_mean", [features]), new("running_var", [features]), new("num_batches_tracked", [])];
    }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Weight of the new batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <inheritdoc/>
    public int InputSize => Features;

    /// <inheritdoc/>
    public int OutputSize => Features;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => _state;

    /// <inheritdoc/>
    public int ScratchLength(int batch) => 2 * Features; // per feature: mean used, 1/√(var + ε) used

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers)
    {
        buffers.Parameters[..Features].Fill(T.One);
        buffers.Parameters[Features..].Clear();
        buffers.State.Clear();
        buffers.State.Slice(Features, Features).Fill(T.One);
    }

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        // x, y: [batch, features]; scratch: mean [features], rstd [features]
        int f = Features;
        Span<T> mean = buffers.Scratch[..f];
        Span<T> rstd = buffers.Scratch.Slice(f, f);
        ReadOnlySpan<T> gamma = buffers.Parameters[..f];
        ReadOnlySpan<T> beta = buffers.Parameters[f..];
        Span<T> runningMean = buffers.State[..f];
        Span<T> runningVar = buffers.State.Slice(f, f);
        T eps = T.CreateTruncating(Eps);
        if (buffers.Training)
        {
            if (batch < 2)
                throw new ArgumentOutOfRangeException(nameof(batch), batch, $"BatchNorm1d in training mode needs more than 1 row per batch to compute a variance (input [{batch}, {f}]).");
            T n = T.CreateTruncating(batch);
            T m = T.CreateTruncating(Momentum);
            mean.Clear();
            for (int r = 0; r < batch; r++)
                for (int c = 0; c < f; c++)
                    mean[c] += x[r * f + c];
            for (int c = 0; c < f; c++)
                mean[c] /= n;
            rstd.Clear();
            for (int r = 0; r < batch; r++)
                for (int c = 0; c < f; c++)
                {
                    T d = x[r * f + c] - mean[c];
                    rstd[c] += d * d;
                }
            for (int c = 0; c < f; c++)
            {
                T variance = rstd[c] / n;
                // running_var takes the unbiased variance σ²·n/(n − 1)
                runningMean[c] = (T.One - m) * runningMean[c] + m * mean[c];
                runningVar[c] = (T.One - m) * runningVar[c] + m * (rstd[c] / (n - T.One));
                rstd[c] = T.One / T.Sqrt(variance + eps);
            }
            buffers.State[2 * f] += T.One;
        }
        else
        {
            for (int c = 0; c < f; c++)
            {
                mean[c] = runningMean[c];
                rstd[c] = T.One / T.Sqrt(runningVar[c] + eps);
            }
        }
        for (int r = 0; r < batch; r++)
            for (int c = 0; c < f; c++)
                y[r * f + c] = gamma[c] * (x[r * f + c] - mean[c]) * rstd[c] + beta[c];
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        int f = Features;
        ReadOnlySpan<T> mean = buffers.Scratch[..f];
        ReadOnlySpan<T> rstd = buffers.Scratch.Slice(f, f);
        ReadOnlySpan<T> gamma = buffers.Parameters[..f];
        Span<T> dGamma = buffers.Gradients[..f];
        Span<T> dBeta = buffers.Gradients[f..];
        // dγ += Σ dy·x̂,  dβ += Σ dy
        for (int r = 0; r < batch; r++)
            for (int c = 0; c < f; c++)
            {
                T xHat = (x[r * f + c] - mean[c]) * rstd[c];
                dGamma[c] += dy[r * f + c] * xHat;
                dBeta[c] += dy[r * f + c];
            }
        if (!buffers.Training)
        {
            // Constant statistics: dx = dy·γ/√(running_var + ε)
            for (int r = 0; r < batch; r++)
                for (int c = 0; c < f; c++)
                    dx[r * f + c] = dy[r * f + c] * gamma[c] * rstd[c];
            return;
        }
        // dx = γ·rstd/n · (n·dy − Σdy − x̂·Σ(dy·x̂)); the sums are dβ and dγ's increments, recomputed here
        // because the gradient buffers accumulate across calls.
        T n = T.CreateTruncating(batch);
        for (int c = 0; c < f; c++)
        {
            T sumDy = T.Zero, sumDyXHat = T.Zero;
            for (int r = 0; r < batch; r++)
            {
                sumDy += dy[r * f + c];
                sumDyXHat += dy[r * f + c] * (x[r * f + c] - mean[c]) * rstd[c];
            }
            T scale = gamma[c] * rstd[c] / n;
            for (int r = 0; r < batch; r++)
            {
                T xHat = (x[r * f + c] - mean[c]) * rstd[c];
                dx[r * f + c] = scale * (n * dy[r * f + c] - sumDy - xHat * sumDyXHat);
            }
        }
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "BatchNorm1d");
        writer.WriteNumber("num_features", Features);
        writer.WriteNumber("eps", Eps);
        writer.WriteNumber("momentum", Momentum);
    }
}
