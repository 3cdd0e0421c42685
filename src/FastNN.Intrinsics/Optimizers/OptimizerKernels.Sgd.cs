using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>One step of SGD (torch.optim.SGD) or, with decoupled decay, SGDW, in place.</summary>
    /// <remarks><para>For every parameter θ with gradient g and momentum buffer b:</para><code>
    /// θ ← θ·(1 − γ·λ)                          (decoupled weight decay only, before the step)
    /// g ← g + λ·θ                              (coupled weight decay only)
    /// b ← g (first step),  b ← μ·b + (1 − τ)·g (later steps)        (μ ≠ 0 only)
    /// g ← g + μ·b (Nesterov),  g ← b (otherwise)                     (μ ≠ 0 only)
    /// θ ← θ − γ·g
    /// </code><para>Exact results may differ from other libraries in the last bits; they are the same on every instruction-set path.</para></remarks>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g, read only.</param>
    /// <param name="momentumBuffer">b, updated in place; read only when <paramref name="momentum"/> ≠ 0 (may then be empty otherwise).</param>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="dampening">τ ≥ 0, the dampening of the gradient in the momentum buffer.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Whether λ shrinks θ directly (SGDW) rather than being added to the gradient (SGD).</param>
    /// <param name="firstStep">True on the optimizer's first step: the buffer is then set to the gradient, its old contents ignored.</param>
    /// <exception cref="ArgumentException">A buffer's length differs from the parameters', or two buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative, infinite or NaN.</exception>
    public static void Sgd<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> momentumBuffer,
        double learningRate, double momentum, double dampening, bool nesterov,
        double weightDecay, bool decoupledWeightDecay, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckHyperParameter(learningRate, nameof(learningRate));
        CheckHyperParameter(momentum, nameof(momentum));
        CheckHyperParameter(dampening, nameof(dampening));
        CheckHyperParameter(weightDecay, nameof(weightDecay));
        bool useMomentum = momentum != 0;
        Validate(parameters, gradients, momentumBuffer, nameof(momentumBuffer), useMomentum,
            default, "", false, default, "", false);
        var op = new SgdOperator<T>(learningRate, momentum, dampening, nesterov, weightDecay, decoupledWeightDecay, firstStep);
        Execute(op, parameters, gradients, momentumBuffer, default, default);
    }

    /// <summary>SGD's update for one element; the hyper-parameters are already converted to T.</summary>
    internal readonly struct SgdOperator<T> : IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _learningRate, _momentum, _oneMinusDampening, _weightDecay, _shrink;
        private readonly bool _coupled, _decoupled, _useMomentum, _nesterov, _firstStep;

        public SgdOperator(double learningRate, double momentum, double dampening, bool nesterov,
            double weightDecay, bool decoupledWeightDecay, bool firstStep)
        {
            _learningRate = T.CreateChecked(learningRate);
            _momentum = T.CreateChecked(momentum);
            _oneMinusDampening = T.CreateChecked(1 - dampening);
            _weightDecay = T.CreateChecked(weightDecay);
            _shrink = T.CreateChecked(1 - learningRate * weightDecay);
            // As PyTorch, a zero decay is skipped rather than multiplied in.
            _coupled = weightDecay != 0 && !decoupledWeightDecay;
            _decoupled = weightDecay != 0 && decoupledWeightDecay;
            _useMomentum = momentum != 0;
            _nesterov = nesterov;
            _firstStep = firstStep;
        }

        public int StateCount => _useMomentum ? 1 : 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref T p, T g, ref T b, ref T s1, ref T s2)
        {
            if (_decoupled) p *= _shrink;                                   // θ ← θ·(1 − γ·λ)
            if (_coupled) g += _weightDecay * p;                            // g ← g + λ·θ
            if (_useMomentum)
            {
                b = _firstStep ? g : _momentum * b + _oneMinusDampening * g; // b ← μ·b + (1 − τ)·g
                g = _nesterov ? g + _momentum * b : b;                      // g ← g + μ·b  or  g ← b
            }
            p -= _learningRate * g;                                         // θ ← θ − γ·g
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector128<T> p, Vector128<T> g, ref Vector128<T> b, ref Vector128<T> s1, ref Vector128<T> s2)
        {
            if (_decoupled) p *= Vector128.Create(_shrink);
            if (_coupled) g += Vector128.Create(_weightDecay) * p;
            if (_useMomentum)
            {
                b = _firstStep ? g : Vector128.Create(_momentum) * b + Vector128.Create(_oneMinusDampening) * g;
                g = _nesterov ? g + Vector128.Create(_momentum) * b : b;
            }
            p -= Vector128.Create(_learningRate) * g;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector256<T> p, Vector256<T> g, ref Vector256<T> b, ref Vector256<T> s1, ref Vector256<T> s2)
        {
            if (_decoupled) p *= Vector256.Create(_shrink);
            if (_coupled) g += Vector256.Create(_weightDecay) * p;
            if (_useMomentum)
            {
                b = _firstStep ? g : Vector256.Create(_momentum) * b + Vector256.Create(_oneMinusDampening) * g;
                g = _nesterov ? g + Vector256.Create(_momentum) * b : b;
            }
            p -= Vector256.Create(_learningRate) * g;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke(ref Vector512<T> p, Vector512<T> g, ref Vector512<T> b, ref Vector512<T> s1, ref Vector512<T> s2)
        {
            if (_decoupled) p *= Vector512.Create(_shrink);
            if (_coupled) g += Vector512.Create(_weightDecay) * p;
            if (_useMomentum)
            {
                b = _firstStep ? g : Vector512.Create(_momentum) * b + Vector512.Create(_oneMinusDampening) * g;
                g = _nesterov ? g + Vector512.Create(_momentum) * b : b;
            }
            p -= Vector512.Create(_learningRate) * g;
        }
    }
}
