using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Intrinsics;
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
/// as in PyTorch. In training a constant column is its own mean, so it normalizes to exactly β and adds no variance
/// (<see cref="Normalization.BatchNormStatistics{T}"/>), where PyTorch's rounded mean can leave it at up to β ± γ.</para>
/// <para>Parameters: <c>weight</c> (γ) and <c>bias</c> (β), each <c>[features]</c>. State: <c>running_mean</c>,
/// <c>running_var</c> (<c>[features]</c>) and <c>num_batches_tracked</c> (a scalar count, stored in model files as I64
/// like PyTorch's; held as <see cref="StateCount"/> describes, so that a float model counts exactly past 2^24 batches).</para>
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own buffers.</para>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, <paramref name="eps"/> is negative, NaN or not finite in <typeparamref name="T"/>, or <paramref name="momentum"/> is outside [0, 1].</exception>
    public BatchNorm1d(int features, double eps = 1e-5, double momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        // Finite: a model file describes ε as a JSON number, which cannot be ∞ or NaN (nor could a NaN ε normalize); and
        // finite in T, as LayerNorm's: an ε of +∞ makes every normalized value 0, the output the bias whatever the input.
        if (!(eps >= 0) || !T.IsFinite(T.CreateTruncating(eps)))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"eps must be finite (as {typeof(T).Name}) and non-negative.");
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1].");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        _parameters = [new("weight", [features], ParameterKind.NormScale), new("bias", [features], ParameterKind.NormShift)];
        _state = [new("running_mean", [features]), new("running_var", [features], IsVariance: true), new("num_batches_tracked", [], IsInteger: true)];
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
    public int ScratchLength(int batch) => checked(5 * Features + 1); // per feature: mean, rstd = 1/√(var + ε), three working rows; the mode of the forward pass; past an int: OverflowException, a workspace too large

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
        // x, y: [batch, features]; the statistics are per column, each strip of columns run down the rows in registers.
        int f = Features;
        Span<T> mean = Row(buffers.Scratch, 0), rstd = Row(buffers.Scratch, 1), squares = Row(buffers.Scratch, 2), scale = Row(buffers.Scratch, 3);
        ReadOnlySpan<T> gamma = buffers.Parameters[..f];
        ReadOnlySpan<T> beta = buffers.Parameters[f..];
        Span<T> runningMean = buffers.State[..f];
        Span<T> runningVar = buffers.State.Slice(f, f);
        T eps = T.CreateTruncating(Eps);
        bool training = buffers.Training;
        buffers.Scratch[5 * f] = training ? T.One : T.Zero;
        if (training)
        {
            if (batch < 2)
                throw new ArgumentOutOfRangeException(nameof(batch), batch, $"BatchNorm1d in training mode needs more than 1 row per batch to compute a variance (input [{batch}, {f}]).");
            T n = T.CreateTruncating(batch);
            T m = T.CreateTruncating(Momentum);
            // μ = Σ x / n;  Σ (x − μ)²
            Normalization.BatchNormStatistics(mean, squares, x, batch, f);
            for (int c = 0; c < f; c++)
            {
                // running statistics: the variance is unbiased, Σ/(n − 1); normalization uses the biased Σ/n
                runningMean[c] = (T.One - m) * runningMean[c] + m * mean[c];
                runningVar[c] = (T.One - m) * runningVar[c] + m * (squares[c] / (n - T.One));
                rstd[c] = T.One / T.Sqrt(squares[c] / n + eps);
            }
            Span<T> batches = buffers.State[(2 * f)..];
            StateCount.Set(batches, 0, StateCount.Get<T>(batches, 0) + 1);
        }
        else
        {
            runningMean.CopyTo(mean);
            for (int c = 0; c < f; c++)
                rstd[c] = T.One / T.Sqrt(runningVar[c] + eps);
        }
        // y = (x − μ)·(γ·rstd) + β
        TensorPrimitives.Multiply(gamma, rstd, scale);
        Normalization.BatchNormNormalize(y, x, mean, scale, beta, batch, f);
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        int f = Features;
        Span<T> mean = Row(buffers.Scratch, 0), rstd = Row(buffers.Scratch, 1), scale = Row(buffers.Scratch, 3);
        Span<T> sumDyXHat = Row(buffers.Scratch, 2), sumDy = Row(buffers.Scratch, 4);
        // Σ dy·x̂ and Σ dy over the batch; dγ += the first, dβ += the second
        Normalization.BatchNormGradientSums(sumDy, sumDyXHat, dy, x, mean, rstd, batch, f);
        TensorPrimitives.Add(buffers.Gradients[..f], sumDyXHat, buffers.Gradients[..f]);
        TensorPrimitives.Add(buffers.Gradients[f..], sumDy, buffers.Gradients[f..]);
        if (dx.IsEmpty)
            return;
        if (buffers.Scratch[5 * f] == T.Zero) // the forward pass ran in evaluation mode: constant statistics
        {
            // dx = dy·γ·rstd (scale, saved by the forward pass)
            for (int r = 0; r < batch; r++)
                TensorPrimitives.Multiply(dy.Slice(r * f, f), scale, dx.Slice(r * f, f));
            return;
        }
        // dx = γ·rstd · (dy − Σdy/n − x̂·Σ(dy·x̂)/n)
        T n = T.CreateTruncating(batch);
        TensorPrimitives.Divide(sumDy, n, sumDy);
        TensorPrimitives.Divide(sumDyXHat, n, sumDyXHat);
        Normalization.BatchNormInputGradient(dx, dy, x, mean, rstd, sumDyXHat, sumDy, scale, batch, f);
    }

    private Span<T> Row(Span<T> scratch, int index) => scratch.Slice(index * Features, Features);

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "BatchNorm1d");
        writer.WriteNumber("num_features", Features);
        writer.WriteNumber("eps", Eps);
        writer.WriteNumber("momentum", Momentum);
    }
}
