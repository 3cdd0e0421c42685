using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace FastNN.Gradients;

/// <summary>Gradient clipping on a model's flat gradient buffer, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.</summary>
/// <remarks>Thread safety: every method may be called from several threads at once, provided they do not share a model,
/// trainer, optimizer or buffer that a call changes.</remarks>
public static class GradientClipping
{
    /// <summary>The Euclidean norm ‖g‖₂ of the whole buffer, accumulated in double in an order fixed by the length.</summary>
    /// <remarks>Float gradients are widened to double before squaring, so no square overflows or loses bits; where double
    /// gradients' squares overflow (past 1e154) or all underflow (below 1e-154), the sum is redone with every gradient
    /// scaled by the power of two that takes the largest into [1, 2), so finite gradients give an infinite norm only where
    /// √(Σ g²) itself is past double's range (double gradients near 1.8e308), and non-zero ones never a zero norm. The
    /// last bits may differ across instruction sets (the vector width sets the summation order).</remarks>
    /// <param name="gradients">The gradient buffer.</param>
    /// <returns>√(Σ g²); NaN or +∞ when a gradient is, +∞ too where √(Σ g²) is past double's range.</returns>
    public static double GlobalNorm<T>(ReadOnlySpan<T> gradients) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector<double> even = Vector<double>.Zero, odd = Vector<double>.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> x = MemoryMarshal.Cast<T, float>(gradients);
            for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(x[i..]), out Vector<double> low, out Vector<double> high);
                even += low * low;
                odd += high * high;
            }
        }
        else if (Vector.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            ReadOnlySpan<double> x = MemoryMarshal.Cast<T, double>(gradients);
            for (; i + 2 * Vector<double>.Count <= x.Length; i += 2 * Vector<double>.Count)
            {
                Vector<double> a = new(x[i..]), b = new(x[(i + Vector<double>.Count)..]);
                even += a * a;
                odd += b * b;
            }
        }
        double sum = Vector.Sum(even + odd);
        for (; i < gradients.Length; i++)
        {
            double a = double.CreateTruncating(gradients[i]);
            sum += a * a;
        }
        return sum >= 1e-250 && double.IsFinite(sum) || double.IsNaN(sum) ? Math.Sqrt(sum) : ScaledNorm(gradients);
    }

    // √(Σ g²) with every g scaled by 2^-e, e the exponent of the largest |g|, then scaled back: exact scaling, as BLAS's
    // nrm2 guards its squares. The largest |g| is +∞ when a gradient is, and 0 when all are.
    private static double ScaledNorm<T>(ReadOnlySpan<T> gradients) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = 0;
        foreach (T g in gradients)
            max = Math.Max(max, Math.Abs(double.CreateTruncating(g)));
        if (max == 0 || !double.IsFinite(max))
            return max;
        int exponent = Math.ILogB(max);
        double sum = 0;
        foreach (T g in gradients)
        {
            double a = Math.ScaleB(double.CreateTruncating(g), -exponent);
            sum += a * a;
        }
        return Math.ScaleB(Math.Sqrt(sum), exponent);
    }

    /// <summary>Rescales the gradients so that their global norm is at most <paramref name="maxNorm"/>, as torch.nn.utils.clip_grad_norm_.</summary>
    /// <remarks><code>
    /// n ← ‖g‖₂                          (over the whole buffer)
    /// c ← min(1, max_norm / (n + 1e-6))
    /// g ← c·g                           (skipped when c = 1)
    /// </code><para>As PyTorch's default (<c>error_if_nonfinite=False</c>), a NaN gradient makes the norm and c NaN and
    /// every gradient NaN, and an infinite one makes the norm +∞ and c 0: the finite gradients become 0 and the infinite
    /// ones NaN. Detect those first with <see cref="NonFiniteGradientGuard{T}"/>.</para>
    /// <para>The norm is <see cref="GlobalNorm{T}"/>'s, finite for finite gradients but double ones whose norm is past
    /// double's range (+∞, so that they become 0 as above): float gradients past about 1.8e19,
    /// whose squares overflow PyTorch 1.13's float32 norm (+∞, so that clip_grad_norm_ zeroes every gradient), are scaled
    /// to <paramref name="maxNorm"/> here; elsewhere c differs from PyTorch's float32 one in the last bits only. Where c
    /// falls below <typeparamref name="T"/>'s normal range (gradients near its largest values clipped to a small
    /// <paramref name="maxNorm"/>), the gradients are scaled in two exact-exponent steps, so that each keeps its bits
    /// rather than c's few as a subnormal.</para></remarks>
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
        {
            T c = T.CreateChecked(coefficient);
            if (!T.IsNormal(c) && norm > 1 && double.IsFinite(norm))
            {
                // Huge gradients and a small max_norm put c below T's normal range (float gradients of 1e37 clipped to
                // 1e-7: c ≈ 7e-45; double ones of 1e300 to 1e-15), where it keeps a few bits (1 % there). Scale by 2^-e
                // first, e ≥ 0 the exponent of n: exact (|g| ≤ n < 2^(e+1)) but for gradients below n times T's
                // smallest normal, whose clipped values are below max_norm times it. Then by c·2^e, taken as
                // max_norm / ((n + 1e-6)·2^-e): normal wherever the clipped gradients are. With n ≤ 1 a subnormal c
                // gives subnormal gradients (|g·c| ≤ c), whose bits it has.
                int exponent = Math.ILogB(norm);
                TensorPrimitives.Multiply(gradients, T.CreateChecked(Math.ScaleB(1.0, -exponent)), gradients);
                c = T.CreateChecked(maxNorm / Math.ScaleB(norm + 1e-6, -exponent));
            }
            TensorPrimitives.Multiply(gradients, c, gradients);
        }
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
