using System.Numerics;

namespace FastNN.Losses;

/// <summary>Mean squared error, as PyTorch's <c>nn.MSELoss()</c>: <c>L = Σ (p − t)² / N</c> over all N elements; <c>∂L/∂p = 2(p − t)/N</c>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class MseLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    /// <remarks>The target has the prediction's shape.</remarks>
    /// <exception cref="ArgumentException">A span's length does not match the shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
    {
        LossArguments.Check(prediction, target, gradient, batch, targetPerRow: false);
        T scale = T.CreateTruncating(2.0 / prediction.Length);
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            T d = prediction[i] - target[i];
            sum += double.CreateTruncating(d * d);
            gradient[i] = scale * d;
        }
        return T.CreateTruncating(sum / prediction.Length);
    }
}
