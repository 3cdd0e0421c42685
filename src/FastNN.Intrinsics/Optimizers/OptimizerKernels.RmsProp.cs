using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>One step of RMSprop (torch.optim.RMSprop), in place.</summary>
    /// <remarks><para>For every parameter θ with gradient g, square average v, gradient average ḡ and momentum buffer b:</para><code>
    /// g ← g + λ·θ                         (λ ≠ 0 only: coupled weight decay)
    /// v ← α·v + (1 − α)·g²
    /// ḡ ← α·ḡ + (1 − α)·g;   a ← √(v − ḡ²) + ε      (centered)
    ///                        a ← √v + ε             (otherwise)
    /// b ← μ·b + g/a;         θ ← θ − γ·b            (μ &gt; 0)
    ///                        θ ← θ − γ·g/a          (otherwise)
    /// </code><para>Exact results may differ from other libraries in the last bits; they are the same on every instruction-set path.</para></remarks>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g, read only.</param>
    /// <param name="squareAverage">v (PyTorch's <c>square_avg</c>), updated in place.</param>
    /// <param name="gradientAverage">ḡ (<c>grad_avg</c>), updated in place when <paramref name="centered"/>; may be empty otherwise.</param>
    /// <param name="momentumBuffer">b (<c>momentum_buffer</c>), updated in place when <paramref name="momentum"/> &gt; 0; may be empty otherwise.</param>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="alpha">α ∈ [0, 1), the smoothing constant.</param>
    /// <param name="epsilon">ε ≥ 0, added after the square root.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled (added to the gradient).</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="centered">Whether to divide by the estimated variance (v − ḡ²) rather than by v.</param>
    /// <exception cref="ArgumentException">A buffer's length differs from the parameters', or two buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range, infinite or NaN.</exception>
    public static void RmsProp<T>(Span<T> parameters, ReadOnlySpan<T> gradients,
        Span<T> squareAverage, Span<T> gradientAverage, Span<T> momentumBuffer,
        double learningRate, double alpha, double epsilon, double weightDecay, double momentum, bool centered)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckHyperParameter(learningRate, nameof(learningRate));
        CheckBeta(alpha, nameof(alpha));
        CheckHyperParameter(epsilon, nameof(epsilon));
        CheckHyperParameter(weightDecay, nameof(weightDecay));
        CheckHyperParameter(momentum, nameof(momentum));
        bool useMomentum = momentum > 0;
        Validate(parameters, gradients, squareAverage, nameof(squareAverage), true,
            momentumBuffer, nameof(momentumBuffer), useMomentum, gradientAverage, nameof(gradientAverage), centered);
        var op = new RmsPropOperator<T>(learningRate, alpha, epsilon, weightDecay, momentum, centered);
        // State order: v, then b when used, then ḡ when used (the driver touches only the first StateCount).
        if (useMomentum)
            Execute(op, parameters, gradients, squareAverage, momentumBuffer, gradientAverage);
        else
            Execute(op, parameters, gradients, squareAverage, gradientAverage, default);
    }

    /// <summary>RMSprop's update for one element. States: v, then b (momentum), then ḡ (centered), each only when used.</summary>
    internal readonly struct RmsPropOperator<T> : IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _learningRate, _alpha, _oneMinusAlpha, _epsilon, _weightDecay, _momentum;
        private readonly bool _coupled, _useMomentum, _centered;

        public RmsPropOperator(double learningRate, double alpha, double epsilon, double weightDecay, double momentum, bool centered)
        {
            _learningRate = T.CreateChecked(learningRate);
            _alpha = T.CreateChecked(alpha);
            _oneMinusAlpha = T.CreateChecked(1 - alpha);
            _epsilon = T.CreateChecked(epsilon);
            _weightDecay = T.CreateChecked(weightDecay);
            _momentum = T.CreateChecked(momentum);
            _coupled = weightDecay != 0;
            _useMomentum = momentum > 0;
            _centered = centered;
        }

        public int StateCount => 1 + (_useMomentum ? 1 : 0) + (_centered ? 1 : 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref T p, T g, ref T v, ref T s1, ref T s2)
        {
            ref T b = ref s1;
            ref T gAvg = ref _useMomentum ? ref s2 : ref s1;
            if (_coupled) g += _weightDecay * p;                            // g ← g + λ·θ
            v = _alpha * v + _oneMinusAlpha * g * g;                        // v ← α·v + (1 − α)·g²
            T a;
            if (_centered)
            {
                gAvg = _alpha * gAvg + _oneMinusAlpha * g;                  // ḡ ← α·ḡ + (1 − α)·g
                a = T.Sqrt(v - gAvg * gAvg) + _epsilon;                     // a ← √(v − ḡ²) + ε
            }
            else
            {
                a = T.Sqrt(v) + _epsilon;                                   // a ← √v + ε
            }
            if (_useMomentum)
            {
                b = _momentum * b + g / a;                                  // b ← μ·b + g/a
                p -= _learningRate * b;                                     // θ ← θ − γ·b
            }
            else
            {
                p -= _learningRate * (g / a);                               // θ ← θ − γ·g/a
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector128<T> p, Vector128<T> g, ref Vector128<T> v, ref Vector128<T> s1, ref Vector128<T> s2)
        {
            ref Vector128<T> b = ref s1;
            ref Vector128<T> gAvg = ref _useMomentum ? ref s2 : ref s1;
            Vector128<T> alpha = Vector128.Create(_alpha), oneMinusAlpha = Vector128.Create(_oneMinusAlpha);
            if (_coupled) g += Vector128.Create(_weightDecay) * p;
            v = alpha * v + oneMinusAlpha * g * g;
            Vector128<T> a;
            if (_centered)
            {
                gAvg = alpha * gAvg + oneMinusAlpha * g;
                a = Vector128.Sqrt(v - gAvg * gAvg) + Vector128.Create(_epsilon);
            }
            else
            {
                a = Vector128.Sqrt(v) + Vector128.Create(_epsilon);
            }
            if (_useMomentum)
            {
                b = Vector128.Create(_momentum) * b + g / a;
                p -= Vector128.Create(_learningRate) * b;
            }
            else
            {
                p -= Vector128.Create(_learningRate) * (g / a);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector256<T> p, Vector256<T> g, ref Vector256<T> v, ref Vector256<T> s1, ref Vector256<T> s2)
        {
            ref Vector256<T> b = ref s1;
            ref Vector256<T> gAvg = ref _useMomentum ? ref s2 : ref s1;
            Vector256<T> alpha = Vector256.Create(_alpha), oneMinusAlpha = Vector256.Create(_oneMinusAlpha);
            if (_coupled) g += Vector256.Create(_weightDecay) * p;
            v = alpha * v + oneMinusAlpha * g * g;
            Vector256<T> a;
            if (_centered)
            {
                gAvg = alpha * gAvg + oneMinusAlpha * g;
                a = Vector256.Sqrt(v - gAvg * gAvg) + Vector256.Create(_epsilon);
            }
            else
            {
                a = Vector256.Sqrt(v) + Vector256.Create(_epsilon);
            }
            if (_useMomentum)
            {
                b = Vector256.Create(_momentum) * b + g / a;
                p -= Vector256.Create(_learningRate) * b;
            }
            else
            {
                p -= Vector256.Create(_learningRate) * (g / a);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector512<T> p, Vector512<T> g, ref Vector512<T> v, ref Vector512<T> s1, ref Vector512<T> s2)
        {
            ref Vector512<T> b = ref s1;
            ref Vector512<T> gAvg = ref _useMomentum ? ref s2 : ref s1;
            Vector512<T> alpha = Vector512.Create(_alpha), oneMinusAlpha = Vector512.Create(_oneMinusAlpha);
            if (_coupled) g += Vector512.Create(_weightDecay) * p;
            v = alpha * v + oneMinusAlpha * g * g;
            Vector512<T> a;
            if (_centered)
            {
                gAvg = alpha * gAvg + oneMinusAlpha * g;
                a = Vector512.Sqrt(v - gAvg * gAvg) + Vector512.Create(_epsilon);
            }
            else
            {
                a = Vector512.Sqrt(v) + Vector512.Create(_epsilon);
            }
            if (_useMomentum)
            {
                b = Vector512.Create(_momentum) * b + g / a;
                p -= Vector512.Create(_learningRate) * b;
            }
            else
            {
                p -= Vector512.Create(_learningRate) * (g / a);
            }
        }
    }
}
