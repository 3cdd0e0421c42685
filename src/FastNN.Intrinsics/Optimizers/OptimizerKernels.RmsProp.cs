using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>One step of RMSprop (torch.optim.RMSprop), in place.</summary>
    /// <remarks><para>For every parameter θ with gradient g, square average v, gradient average ḡ and momentum buffer b:</para><code>
    /// g ← g + λ·θ                         (λ ≠ 0 only: coupled weight decay)
    /// v ← α·v + (1 − α)·g²
    /// ḡ ← α·ḡ + (1 − α)·g;   a ← √max(v − ḡ², 0) + ε (centered)
    ///                        a ← √v + ε             (otherwise)
    /// b ← μ·b + g/a;         θ ← θ − γ·b            (μ &gt; 0)
    ///                        θ ← θ − γ·g/a          (otherwise)
    /// </code><para>Every new v, ḡ and b of magnitude below the smallest normal number N (2⁻¹²⁶ in float, 2⁻¹⁰²² in double)
    /// is stored and used as a zero of its sign, and (1 − α)·g² is taken as 0 where |g| &lt; √(N / (1 − α)), as
    /// <c>torch.set_flush_denormal(True)</c> would: state without gradient decays into the subnormals, where the
    /// arithmetic is several times slower. Centered, v − ḡ² is taken as at least 0: ḡ still averages the gradients whose
    /// squares the rule drops from v, so v − ḡ² could fall below zero (from |g| ≈ 1e-18 in float, 1e-154 in double) where
    /// PyTorch's unflushed one does not, and its square root would make θ NaN. The rule applies only where it changes a by
    /// at most a unit in its last place: √(N / (1 − α)) ≤ ε·2⁻²⁴ (2⁻⁵³ in double), true from ε = 2e-11 in float with
    /// α = 0.99. With a smaller ε (0 above all) nothing is flushed or dropped: a v flushed to 0 would make θ ±∞ or NaN
    /// where PyTorch's subnormal v gives an ordinary step.</para>
    /// <para>Exact results may differ from other libraries in the last bits; they are the same on every instruction-set path.</para></remarks>
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
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range, infinite or NaN; γ, ε, λ or μ is
    /// not finite in <typeparamref name="T"/>; or ε is positive but rounds to 0 there.</exception>
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
        private readonly T _learningRate, _alpha, _oneMinusAlpha, _epsilon, _weightDecay, _momentum, _squareFloor;
        private readonly bool _coupled, _useMomentum, _centered, _flush;

        public RmsPropOperator(double learningRate, double alpha, double epsilon, double weightDecay, double momentum, bool centered)
        {
            _learningRate = HyperParameter.FiniteIn<T>(learningRate, nameof(learningRate), learningRate);
            _alpha = T.CreateChecked(alpha);
            _oneMinusAlpha = T.CreateChecked(1 - alpha);
            // Below the ε the rule needs, no state is flushed and no square dropped (StateFlush.AppliesWith); a floor of 0 drops none.
            _flush = StateFlush<T>.AppliesWith(epsilon, 1 - alpha);
            _squareFloor = _flush ? StateFlush<T>.SquareFloor(1 - alpha) : T.Zero;
            _epsilon = HyperParameter.EpsilonIn<T>(epsilon, nameof(epsilon));
            _weightDecay = HyperParameter.FiniteIn<T>(weightDecay, nameof(weightDecay), weightDecay);
            _momentum = HyperParameter.FiniteIn<T>(momentum, nameof(momentum), momentum);
            _coupled = weightDecay != 0;
            _useMomentum = momentum > 0;
            _centered = centered;
        }

        public int StateCount => 1 + (_useMomentum ? 1 : 0) + (_centered ? 1 : 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Update<TWidth, TVector>(ref T p, ref T g, ref T v, ref T s1, ref T s2, nuint i, nuint n)
            where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
            UpdateDriver.Loop<T, Lanes<TWidth, TVector>, TWidth, TVector>(new(this), StateCount, ref p, ref g, ref v, ref s1, ref s2, i, n);

        private readonly struct Lanes<TWidth, TVector> : IUpdateLanes<TVector>
            where TWidth : IVectorWidth<T, TVector> where TVector : struct
        {
            private readonly TVector _learningRate, _alpha, _oneMinusAlpha, _epsilon, _weightDecay, _momentum, _squareFloor;
            private readonly bool _coupled, _useMomentum, _centered, _flush;

            public Lanes(in RmsPropOperator<T> op)
            {
                (_learningRate, _alpha, _oneMinusAlpha) = (TWidth.Broadcast(op._learningRate), TWidth.Broadcast(op._alpha), TWidth.Broadcast(op._oneMinusAlpha));
                (_epsilon, _weightDecay, _momentum) = (TWidth.Broadcast(op._epsilon), TWidth.Broadcast(op._weightDecay), TWidth.Broadcast(op._momentum));
                _squareFloor = TWidth.Broadcast(op._squareFloor);
                (_coupled, _useMomentum, _centered, _flush) = (op._coupled, op._useMomentum, op._centered, op._flush);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke(ref TVector p, TVector g, ref TVector v, ref TVector s1, ref TVector s2)
            {
                ref TVector b = ref s1;
                ref TVector gAvg = ref _useMomentum ? ref s2 : ref s1;
                if (_coupled) g = TWidth.Add(g, TWidth.Multiply(_weightDecay, p));                               // g ← g + λ·θ
                TVector gs = StateFlush<T>.ZeroBelow<TWidth, TVector>(g, _squareFloor);                          // g, 0 where (1 − α)·g² < 2⁻¹²⁶ (ε large enough)
                v = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Add(TWidth.Multiply(_alpha, v),
                    TWidth.Multiply(TWidth.Multiply(_oneMinusAlpha, gs), gs)), _flush);                                // v ← α·v + (1 − α)·g², flushed (ε large enough)
                TVector a;
                if (_centered)
                {
                    gAvg = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Add(TWidth.Multiply(_alpha, gAvg), TWidth.Multiply(_oneMinusAlpha, g)), _flush);   // ḡ ← α·ḡ + (1 − α)·g, flushed (ε large enough)
                    // At least 0: the flush drops from v squares whose gradients ḡ still averages (NaN stays NaN).
                    TVector variance = TWidth.Max(TWidth.Subtract(v, TWidth.Multiply(gAvg, gAvg)), TWidth.Broadcast(T.Zero));
                    a = TWidth.Add(TWidth.Sqrt(variance), _epsilon);                                               // a ← √max(v − ḡ², 0) + ε
                }
                else
                {
                    a = TWidth.Add(TWidth.Sqrt(v), _epsilon);                                                     // a ← √v + ε
                }
                if (_useMomentum)
                {
                    b = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Add(TWidth.Multiply(_momentum, b), TWidth.Divide(g, a)), _flush);  // b ← μ·b + g/a, flushed (ε large enough)
                    p = TWidth.Subtract(p, TWidth.Multiply(_learningRate, b));                                    // θ ← θ − γ·b
                }
                else
                {
                    p = TWidth.Subtract(p, TWidth.Multiply(_learningRate, TWidth.Divide(g, a)));                  // θ ← θ − γ·g/a
                }
            }
        }
    }
}
