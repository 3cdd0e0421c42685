using System.Numerics;

namespace FastNN.Losses;

/// <summary>A loss over a batch, mean-reduced as PyTorch's default, that also writes its gradient.</summary>
/// <remarks><para>Rows and batches: with the built-in losses a row's gradient in a batch of B rows is, bit for bit, the
/// gradient that row gets alone (batch 1) times 1/B, rounded once, whatever B and wherever the row sits in the batch, on
/// any one instruction-set path (each gradient is taken per row, then scaled by 1/B). Each row's loss terms are likewise
/// functions of that row alone; the mean loss sums them in an order that may depend on B, so its last bits may.</para>
/// <para>Thread safety: the built-in losses are immutable and may be shared between threads; an implementation of
/// your own should be too, or say otherwise.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Computes the loss of <paramref name="prediction"/> against <paramref name="target"/> and its gradient.</summary>
    /// <param name="prediction">The model output, <c>[batch, features]</c>.</param>
    /// <param name="target">The target; its shape is the loss's to define (the prediction's shape, or one class index per row).</param>
    /// <param name="gradient">d loss / d prediction, same shape as <paramref name="prediction"/>, OVERWRITTEN; may be <paramref name="prediction"/> itself (in place), and must not otherwise overlap it or the target.</param>
    /// <param name="batch">Rows in the batch (at least 1).</param>
    /// <returns>The mean loss.</returns>
    T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch);
}
