using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    /// </code><para>The bias corrections 1 − β1^t and √(1 − β2^t) are computed once per call, in double.
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
    /// <exception cref="ArgumentOutOfRangeException">t &lt; 1, or a hyper-parameter is out of range, infinite or NaN.</exception>
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
        private readonly T _biasCorrection2Sqrt, _stepSize;
        private readonly bool _coupled, _decoupled, _amsGrad;

        public AdamOperator(long step, double learningRate, double beta1, double beta2, double epsilon,
            double weightDecay, bool decoupledWeightDecay, bool amsGrad)
        {
            _beta1 = T.CreateChecked(beta1);
            _oneMinusBeta1 = T.CreateChecked(1 - beta1);
            _beta2 = T.CreateChecked(beta2);
            _oneMinusBeta2 = T.CreateChecked(1 - beta2);
            _epsilon = T.CreateChecked(epsilon);
            _weightDecay = T.CreateChecked(weightDecay);
            _shrink = T.CreateChecked(1 - learningRate * weightDecay);
            // Once per step, as PyTorch: 1 − β1^t folds into the step size, √(1 − β2^t) divides √v.
            _stepSize = T.CreateChecked(learningRate / (1 - Math.Pow(beta1, step)));
            _biasCorrection2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(beta2, step)));
            // torch.optim.AdamW multiplies by 1 − γλ even when λ = 0 (a no-op); Adam skips a zero λ.
            _coupled = weightDecay != 0 && !decoupledWeightDecay;
            _decoupled = weightDecay != 0 && decoupledWeightDecay;
            _amsGrad = amsGrad;
        }

        public int StateCount => _amsGrad ? 3 : 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref T p, T g, ref T m, ref T v, ref T vMax)
        {
            if (_decoupled) p *= _shrink;                                   // θ ← θ·(1 − γ·λ)
            if (_coupled) g += _weightDecay * p;                            // g ← g + λ·θ
            m = _beta1 * m + _oneMinusBeta1 * g;                            // m ← β1·m + (1 − β1)·g
            v = _beta2 * v + _oneMinusBeta2 * g * g;                        // v ← β2·v + (1 − β2)·g²
            T s = v;
            if (_amsGrad) s = vMax = T.Max(vMax, v);                        // v̂ ← max(v̂, v)
            T d = T.Sqrt(s) / _biasCorrection2Sqrt + _epsilon;              // d ← √v / √(1 − β2^t) + ε
            p -= _stepSize * (m / d);                                       // θ ← θ − (γ / (1 − β1^t))·m / d
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector128<T> p, Vector128<T> g, ref Vector128<T> m, ref Vector128<T> v, ref Vector128<T> vMax)
        {
            if (_decoupled) p *= Vector128.Create(_shrink);
            if (_coupled) g += Vector128.Create(_weightDecay) * p;
            m = Vector128.Create(_beta1) * m + Vector128.Create(_oneMinusBeta1) * g;
            v = Vector128.Create(_beta2) * v + Vector128.Create(_oneMinusBeta2) * g * g;
            Vector128<T> s = v;
            if (_amsGrad) s = vMax = Vector128.Max(vMax, v);
            Vector128<T> d = Vector128.Sqrt(s) / Vector128.Create(_biasCorrection2Sqrt) + Vector128.Create(_epsilon);
            p -= Vector128.Create(_stepSize) * (m / d);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector256<T> p, Vector256<T> g, ref Vector256<T> m, ref Vector256<T> v, ref Vector256<T> vMax)
        {
            if (_decoupled) p *= Vector256.Create(_shrink);
            if (_coupled) g += Vector256.Create(_weightDecay) * p;
            m = Vector256.Create(_beta1) * m + Vector256.Create(_oneMinusBeta1) * g;
            v = Vector256.Create(_beta2) * v + Vector256.Create(_oneMinusBeta2) * g * g;
            Vector256<T> s = v;
            if (_amsGrad) s = vMax = Vector256.Max(vMax, v);
            Vector256<T> d = Vector256.Sqrt(s) / Vector256.Create(_biasCorrection2Sqrt) + Vector256.Create(_epsilon);
            p -= Vector256.Create(_stepSize) * (m / d);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector512<T> p, Vector512<T> g, ref Vector512<T> m, ref Vector512<T> v, ref Vector512<T> vMax)
        {
            if (_decoupled) p *= Vector512.Create(_shrink);
            if (_coupled) g += Vector512.Create(_weightDecay) * p;
            m = Vector512.Create(_beta1) * m + Vector512.Create(_oneMinusBeta1) * g;
            v = Vector512.Create(_beta2) * v + Vector512.Create(_oneMinusBeta2) * g * g;
            Vector512<T> s = v;
            if (_amsGrad) s = vMax = Vector512.Max(vMax, v);
            Vector512<T> d = Vector512.Sqrt(s) / Vector512.Create(_biasCorrection2Sqrt) + Vector512.Create(_epsilon);
            p -= Vector512.Create(_stepSize) * (m / d);
        }
    }
}
