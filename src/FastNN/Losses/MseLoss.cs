using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Losses;

/// <summary>Mean squared error, as PyTorch's <c>nn.MSELoss()</c>: <c>L = Σ (p − t)² / N</c> over all N elements; <c>∂L/∂p = 2(p − t)/N</c>.</summary>
/// <remarks>The gradient is taken per row, 2(p − t)/features, then times 1/batch, so a row's gradient in a batch is its
/// gradient alone times 1/batch, bit for bit (<see cref="ILoss{T}"/>). One vectorized pass (<see cref="LossKernels.MeanSquaredError{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/>), the terms summed in double.
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class MseLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    /// <remarks>The target has the prediction's shape.</remarks>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, or the gradient overlaps the target or part of the prediction.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
    {
        LossArguments.Check(prediction, target, gradient, batch, targetPerRow: false);
        return LossKernels.MeanSquaredError(prediction, target, gradient, batch);
    }
}
