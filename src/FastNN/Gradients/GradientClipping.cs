using System.Numerics;
using System.Numerics.Tensors;

namespace FastNN.Gradients;

/// <summary>Gradient clipping on a model's flat gradient buffer, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.</summary>
public static class GradientClipping
{
    /// <summary>The Euclidean norm ‖g‖₂ of the whole buffer, accumulated in double in a fixed order.</summary>
    /// <param name="gradients">The gradient buffer.</param>
    /// <returns>√(Σ g²); NaN or +∞ when a gradient is.</returns>
    public static double GlobalNorm<T>(ReadOnlySpan<T> gradients) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Four chains hide the add latency; the order is fixed, so the result does not depend on the address.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= gradients.Length; i += 4)
        {
            double a = double.CreateTruncating(gradients[i]), b = double.CreateTruncating(gradients[i + 1]);
            double c = double.CreateTruncating(gradients[i + 2]), d = double.CreateTruncating(gradients[i + 3]);
            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
        }
        for (; i < gradients.Length; i++)
        {
            double a = double.CreateTruncating(gradients[i]);
            s0 += a * a;
        }
        return Math.Sqrt(s0 + s1 + (s2 + s3));
    }

    /// <summary>Rescales the gradients so that their global norm is at most <paramref name="maxNorm"/>, as torch.nn.utils.clip_grad_norm_.</summary>
    /// <remarks><code>
    /// n ← ‖g‖₂                          (over the whole buffer)
    /// c ← min(1, max_norm / (n + 1e-6))
    /// g ← c·g                           (skipped when c = 1)
    /// </code><para>A non-finite norm makes c NaN and every gradient NaN, as PyTorch's default
    /// (<c>error_if_nonfinite=False</c>); detect that first with <see cref="NonFiniteGradientGuard{T}"/>.</para></remarks>
    /// <param name="gradients">The gradient buffer, scaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed, ≥ 0.</param>
    /// <returns>The global norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative, infinite or NaN.</exception>
    public static double ClipByGlobalNorm<T>(Span<T> gradients, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm >= 0) || double.IsPositiveInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be finite and non-negative.");
        double norm = GlobalNorm<T>(gradients);
        double coefficient = maxNorm / (norm + 1e-6);
        if (!(coefficient >= 1))
            TensorPrimitives.Multiply(gradients, T.CreateChecked(coefficient), gradients);
        return norm;
    }

    /// <summary>Clamps every gradient into [−c, c], as torch.nn.utils.clip_grad_value_; NaN stays NaN.</summary>
    /// <param name="gradients">The gradient buffer, clamped in place.</param>
    /// <param name="clipValue">c ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or NaN.</exception>
    public static void ClipByValue<T>(Span<T> gradients, double clipValue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(clipValue >= 0))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be non-negative.");
        T c = T.CreateChecked(clipValue);
        TensorPrimitives.Clamp(gradients, -c, c, gradients);
    }
}
