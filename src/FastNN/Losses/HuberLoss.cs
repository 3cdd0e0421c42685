using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Losses;

/// <summary>Huber loss, as PyTorch's <c>nn.HuberLoss()</c>: quadratic near zero, linear beyond δ.</summary>
/// <remarks><code>
/// d = p − t      ℓ = ½d² if |d| &lt; δ, else δ·(|d| − ½δ)      L = Σ ℓ / N      ∂L/∂p = clamp(d, −δ, δ)/N
/// </code>The target has the prediction's shape. The gradient is taken per row, clamp(d, −δ, δ)/features, then times
/// 1/batch, so a row's gradient in a batch is its gradient alone times 1/batch, bit for bit (<see cref="ILoss{T}"/>). One vectorized pass (<see cref="LossKernels.Huber{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, T, int)"/>), the terms
/// summed in double.
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class HuberLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a Huber loss.</summary>
    /// <param name="delta">δ, where the loss turns linear (default 1, PyTorch's). It is used in <typeparamref name="T"/>,
    /// rounded to nearest: +∞ is allowed (½d² wherever d is finite; NaN at d = ±∞, as the formula and PyTorch give), and
    /// so is a δ beyond <typeparamref name="T"/>'s range, which is +∞ in it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive, or rounds to 0 in <typeparamref name="T"/>.</exception>
    public HuberLoss(double delta = 1.0)
    {
        if (!(T.CreateTruncating(delta) > T.Zero))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"Huber δ must be positive in {typeof(T).Name}.");
        Delta = delta;
    }

    /// <summary>δ, where the loss turns linear.</summary>
    public double Delta { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, or the gradient overlaps the target or part of the prediction.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
    {
        LossArguments.Check(prediction, target, gradient, batch, targetPerRow: false);
        return LossKernels.Huber(prediction, target, gradient, T.CreateTruncating(Delta), batch);
    }
}
