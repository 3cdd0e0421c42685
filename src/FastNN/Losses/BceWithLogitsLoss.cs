using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Losses;

/// <summary>Binary cross-entropy on logits, as PyTorch's <c>nn.BCEWithLogitsLoss()</c>, in the stable form.</summary>
/// <remarks><code>
/// ℓ(x, t) = max(x, 0) − x·t + log(1 + e^(−|x|))      L = Σ ℓ / N      ∂L/∂x = (σ(x) − t)/N
/// </code>Targets are probabilities in [0, 1] with the prediction's shape. Others are not refused, as PyTorch does not
/// refuse them (a target above 1 makes the loss unbounded below); <see cref="Training.Trainer{T}.Fit"/> refuses them. The gradient is taken per row,
/// (σ(x) − t)/features, then times 1/batch, so a row's gradient in a batch is its gradient alone times 1/batch, bit for
/// bit (<see cref="ILoss{T}"/>). Finite for any finite logit. One vectorized
/// pass (<see cref="LossKernels.BinaryCrossEntropyWithLogits{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/>), the terms summed in double.
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class BceWithLogitsLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, or the gradient overlaps the target or part of the prediction.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
    {
        LossArguments.Check(prediction, target, gradient, batch, targetPerRow: false);
        return LossKernels.BinaryCrossEntropyWithLogits(prediction, target, gradient, batch);
    }
}
