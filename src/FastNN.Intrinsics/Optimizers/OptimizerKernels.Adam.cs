using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>One step of Adam (torch.optim.Adam, coupled weight decay) or AdamW (torch.optim.AdamW, decoupled), in place.</summary>
    /// <remarks><para>For step t (1, 2, …) and every parameter θ with gradient g, first moment m, second moment v and maximum v̂:</para><code>
    /// θ ← θ·(1 − γ·λ)                      (decoupled weight decay, AdamW)
    /// g ← g + λ·θ                          (coupled weight decay, Adam; λ ≠ 0 only)
    /// m ← β1·m + (1 − β1)·g
    /// v ← β2·v + (1 − β2)·g²
    /// v̂ ← max(v̂, v)                        (AMSGrad: the maximum of the raw v, as PyTorch's code)
    /// d ← √v / √(1 − β2^t) + ε             (√v̂ in place of √v with AMSGrad)
    /// θ ← θ − (γ / (1 − β1^t))·m / d
    /// </code><para>Every new m, v and v̂ of magnitude below the smallest normal number N (2⁻¹²⁶ in float, 2⁻¹⁰²² in double)
    /// is stored and used as a zero of its sign, and (1 − β2)·g² is taken as 0 where |g| &lt; √(N / (1 − β2)), as
    /// <c>torch.set_flush_denormal(True)</c> would: the moments of a unit without gradient decay into the subnormals and
    /// stay there, where the arithmetic is several times slower. The rule applies only where it changes d by at most a
    /// unit in its last place: √(N / (1 − β2)) ≤ ε·2⁻²⁴ (2⁻⁵³ in double), true from ε = 6e-11 in float with β2 = 0.999.
    /// With a smaller ε (0 above all) nothing is flushed or dropped: a v flushed to 0 would make θ ±∞ or NaN where
    /// PyTorch's subnormal v gives an ordinary step.</para>
    /// <para>The bias corrections 1 − β1^t and √(1 − β2^t) are computed once per call, in double.
    /// Exact results may differ from other libraries in the last bits; they are the same on every instruction-set path.</para></remarks>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g, read only.</param>
    /// <param name="firstMoment">m (<c>exp_avg</c>), updated in place.</param>
    /// <param name="secondMoment">v (<c>exp_avg_sq</c>), updated in place.</param>
    /// <param name="maxSecondMoment">v̂ (<c>max_exp_avg_sq</c>), updated in place; empty turns AMSGrad off.</param>
    /// <param name="step">t ≥ 1, the step number after incrementing.</param>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1).</param>
    /// <param name="beta2">β2 ∈ [0, 1).</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Whether λ shrinks θ directly (AdamW) rather than being added to the gradient (Adam).</param>
    /// <exception cref="ArgumentException">A buffer's length differs from the parameters', or two buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">t &lt; 1; a hyper-parameter is out of range, infinite or NaN; a value
    /// the update uses is not finite in <typeparamref name="T"/>: the step size γ / (1 − β1^t), ε, λ (coupled), 1 − γ·λ
    /// (decoupled); or ε is positive but rounds to 0 there.</exception>
    public static void Adam<T>(Span<T> parameters, ReadOnlySpan<T> gradients,
        Span<T> firstMoment, Span<T> secondMoment, Span<T> maxSecondMoment,
        long step, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, bool decoupledWeightDecay)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        CheckHyperParameter(learningRate, nameof(learningRate));
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckHyperParameter(epsilon, nameof(epsilon));
        CheckHyperParameter(weightDecay, nameof(weightDecay));
        bool amsGrad = !maxSecondMoment.IsEmpty;
        Validate(parameters, gradients, firstMoment, nameof(firstMoment), true,
            secondMoment, nameof(secondMoment), true, maxSecondMoment, nameof(maxSecondMoment), amsGrad);
        var op = new AdamOperator<T>(step, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay, amsGrad);
        Execute(op, parameters, gradients, firstMoment, secondMoment, maxSecondMoment);
    }

    /// <summary>Adam's and AdamW's update for one element. States: m, v, then v̂ with AMSGrad.</summary>
    internal readonly struct AdamOperator<T> : IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _weightDecay, _shrink;
        private readonly T _biasCorrection2Sqrt, _stepSize, _squareFloor;
        private readonly bool _coupled, _decoupled, _amsGrad, _flush;

        public AdamOperator(long step, double learningRate, double beta1, double beta2, double epsilon,
            double weightDecay, bool decoupledWeightDecay, bool amsGrad)
        {
            _beta1 = T.CreateChecked(beta1);
            _oneMinusBeta1 = T.CreateChecked(1 - beta1);
            _beta2 = T.CreateChecked(beta2);
            _oneMinusBeta2 = T.CreateChecked(1 - beta2);
            // Below the ε the rule needs, no state is flushed and no square dropped (StateFlush.AppliesWith); a floor of 0 drops none.
            _flush = StateFlush<T>.AppliesWith(epsilon, 1 - beta2);
            _squareFloor = _flush ? StateFlush<T>.SquareFloor(1 - beta2) : T.Zero;
            // torch.optim.AdamW multiplies by 1 − γλ even when λ = 0 (a no-op); Adam skips a zero λ.
            _coupled = weightDecay != 0 && !decoupledWeightDecay;
            _decoupled = weightDecay != 0 && decoupledWeightDecay;
            // Only what the update uses must be finite in T: γ only through the step size, AdamW's λ only through 1 − γ·λ.
            _epsilon = HyperParameter.EpsilonIn<T>(epsilon, nameof(epsilon));
            _weightDecay = _coupled ? HyperParameter.FiniteIn<T>(weightDecay, nameof(weightDecay), weightDecay) : T.Zero;
            _shrink = _decoupled ? HyperParameter.FiniteIn<T>(1 - learningRate * weightDecay, nameof(weightDecay), weightDecay, "1 − learningRate·weightDecay") : T.One;
            // Once per step, as PyTorch: 1 − β1^t folds into the step size, √(1 − β2^t) divides √v.
            _stepSize = HyperParameter.FiniteIn<T>(learningRate / (1 - Math.Pow(beta1, step)), nameof(learningRate), learningRate,
                "the step size learningRate / (1 − beta1^t)");
            _biasCorrection2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(beta2, step)));
            _amsGrad = amsGrad;
        }

        public int StateCount => _amsGrad ? 3 : 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Update<TWidth, TVector>(ref T p, ref T g, ref T m, ref T v, ref T vMax, nuint i, nuint n)
            where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
            UpdateDriver.Loop<T, Lanes<TWidth, TVector>, TWidth, TVector>(new(this), StateCount, ref p, ref g, ref m, ref v, ref vMax, i, n);

        private readonly struct Lanes<TWidth, TVector> : IUpdateLanes<TVector>
            where TWidth : IVectorWidth<T, TVector> where TVector : struct
        {
            private readonly TVector _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _weightDecay, _shrink;
            private readonly TVector _biasCorrection2Sqrt, _stepSize, _squareFloor;
            private readonly bool _coupled, _decoupled, _amsGrad, _flush;

            public Lanes(in AdamOperator<T> op)
            {
                (_beta1, _oneMinusBeta1) = (TWidth.Broadcast(op._beta1), TWidth.Broadcast(op._oneMinusBeta1));
                (_beta2, _oneMinusBeta2) = (TWidth.Broadcast(op._beta2), TWidth.Broadcast(op._oneMinusBeta2));
                (_epsilon, _weightDecay, _shrink) = (TWidth.Broadcast(op._epsilon), TWidth.Broadcast(op._weightDecay), TWidth.Broadcast(op._shrink));
                (_biasCorrection2Sqrt, _stepSize) = (TWidth.Broadcast(op._biasCorrection2Sqrt), TWidth.Broadcast(op._stepSize));
                _squareFloor = TWidth.Broadcast(op._squareFloor);
                (_coupled, _decoupled, _amsGrad, _flush) = (op._coupled, op._decoupled, op._amsGrad, op._flush);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke(ref TVector p, TVector g, ref TVector m, ref TVector v, ref TVector vMax)
            {
                if (_decoupled) p = TWidth.Multiply(p, _shrink);                                                 // θ ← θ·(1 − γ·λ)
                if (_coupled) g = TWidth.Add(g, TWidth.Multiply(_weightDecay, p));                                // g ← g + λ·θ
                m = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Add(TWidth.Multiply(_beta1, m), TWidth.Multiply(_oneMinusBeta1, g)), _flush);   // m ← β1·m + (1 − β1)·g, flushed (ε large enough)
                TVector gs = StateFlush<T>.ZeroBelow<TWidth, TVector>(g, _squareFloor);                          // g, 0 where (1 − β2)·g² < 2⁻¹²⁶ (ε large enough)
                v = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Add(TWidth.Multiply(_beta2, v),
                    TWidth.Multiply(TWidth.Multiply(_oneMinusBeta2, gs), gs)), _flush);                                // v ← β2·v + (1 − β2)·g², flushed (ε large enough)
                TVector s = v;
                if (_amsGrad) s = vMax = StateFlush<T>.Flush<TWidth, TVector>(TWidth.Max(vMax, v), _flush);                           // v̂ ← max(v̂, v), flushed (ε large enough)
                TVector d = TWidth.Add(TWidth.Divide(TWidth.Sqrt(s), _biasCorrection2Sqrt), _epsilon);           // d ← √v / √(1 − β2^t) + ε
                p = TWidth.Subtract(p, TWidth.Multiply(_stepSize, TWidth.Divide(m, d)));                          // θ ← θ − (γ / (1 − β1^t))·m / d
            }
        }
    }
}
