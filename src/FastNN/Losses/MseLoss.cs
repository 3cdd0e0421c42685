using System.Numerics;
using System.Numerics.Tensors;

namespace FastNN.Losses;

/// <summary>Mean squared error, as PyTorch's <c>nn.MSELoss()</c>: <c>L = Σ (p − t)² / N</c> over all N elements; <c>∂L/∂p = 2(p − t)/N</c>.</summary>
/// <remarks>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</remarks>
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
        // d = p − t (in the gradient buffer);  L = Σd²/N;  ∂L/∂p = 2d/N
        TensorPrimitives.Subtract(prediction, target, gradient);
        T sum = TensorPrimitives.SumOfSquares<T>(gradient);
        TensorPrimitives.Multiply(gradient, T.CreateTruncating(2.0 / prediction.Length), gradient);
        return sum / T.CreateTruncating(prediction.Length);
    }
}
