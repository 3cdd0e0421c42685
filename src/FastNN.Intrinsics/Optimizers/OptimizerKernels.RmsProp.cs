using System.Numerics;
using System.Runtime.CompilerServices;

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
        public void Invoke<TWidth, TVector>(ref TVector p, TVector g, ref TVector v, ref TVector s1, ref TVector s2)
            where TWidth : IVectorWidth<T, TVector> where TVector : struct
        {
            ref TVector b = ref s1;
            ref TVector gAvg = ref _useMomentum ? ref s2 : ref s1;
            TVector alpha = TWidth.Broadcast(_alpha), oneMinusAlpha = TWidth.Broadcast(_oneMinusAlpha);
            if (_coupled) g = TWidth.Add(g, TWidth.Multiply(TWidth.Broadcast(_weightDecay), p));                // g ← g + λ·θ
            v = TWidth.Add(TWidth.Multiply(alpha, v), TWidth.Multiply(TWidth.Multiply(oneMinusAlpha, g), g));   // v ← α·v + (1 − α)·g²
            TVector a;
            if (_centered)
            {
                gAvg = TWidth.Add(TWidth.Multiply(alpha, gAvg), TWidth.Multiply(oneMinusAlpha, g));             // ḡ ← α·ḡ + (1 − α)·g
                a = TWidth.Add(TWidth.Sqrt(TWidth.Subtract(v, TWidth.Multiply(gAvg, gAvg))), TWidth.Broadcast(_epsilon));   // a ← √(v − ḡ²) + ε
            }
            else
            {
                a = TWidth.Add(TWidth.Sqrt(v), TWidth.Broadcast(_epsilon));                                     // a ← √v + ε
            }
            if (_useMomentum)
            {
                b = TWidth.Add(TWidth.Multiply(TWidth.Broadcast(_momentum), b), TWidth.Divide(g, a));           // b ← μ·b + g/a
                p = TWidth.Subtract(p, TWidth.Multiply(TWidth.Broadcast(_learningRate), b));                    // θ ← θ − γ·b
            }
            else
            {
                p = TWidth.Subtract(p, TWidth.Multiply(TWidth.Broadcast(_learningRate), TWidth.Divide(g, a)));  // θ ← θ − γ·g/a
            }
        }
    }
}
