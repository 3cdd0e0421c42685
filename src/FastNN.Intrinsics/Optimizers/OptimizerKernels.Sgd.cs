using System.Numerics;
using System.Runtime.CompilerServices;

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
    /// </code><para>Every new b of magnitude below the smallest normal number (2⁻¹²⁶ in float, 2⁻¹⁰²² in double) is stored
    /// and used as a zero of its sign, as <c>torch.set_flush_denormal(True)</c> would: a buffer without gradient decays
    /// into the subnormals, where the arithmetic is several times slower.</para>
    /// <para>Exact results may differ from other libraries in the last bits; they are the same on every instruction-set path.</para></remarks>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g, read only.</param>
    /// <param name="momentumBuffer">b, updated in place; read only when <paramref name="momentum"/> ≠ 0 (may then be empty otherwise).</param>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="dampening">τ ≥ 0, the dampening of the gradient in the momentum buffer.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; needs μ &gt; 0 and τ = 0, as torch.optim.SGD.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Whether λ shrinks θ directly (SGDW) rather than being added to the gradient (SGD).</param>
    /// <param name="firstStep">True on the optimizer's first step: the buffer is then set to the gradient, its old contents ignored.</param>
    /// <exception cref="ArgumentException">A buffer's length differs from the parameters', two buffers overlap, or Nesterov
    /// momentum is asked for without momentum or with dampening.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative, infinite or NaN, or a value the update
    /// uses is not finite in <typeparamref name="T"/>: γ, μ, 1 − τ (with momentum), λ (coupled), 1 − γ·λ (decoupled).</exception>
    public static void Sgd<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> momentumBuffer,
        double learningRate, double momentum, double dampening, bool nesterov,
        double weightDecay, bool decoupledWeightDecay, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckHyperParameter(learningRate, nameof(learningRate));
        CheckHyperParameter(momentum, nameof(momentum));
        CheckHyperParameter(dampening, nameof(dampening));
        CheckHyperParameter(weightDecay, nameof(weightDecay));
        CheckNesterov(momentum, dampening, nesterov, nameof(nesterov));
        bool useMomentum = momentum != 0;
        Validate(parameters, gradients, momentumBuffer, nameof(momentumBuffer), useMomentum,
            default, "", false, default, "", false);
        var op = new SgdOperator<T>(learningRate, momentum, dampening, nesterov, weightDecay, decoupledWeightDecay, firstStep);
        Execute(op, parameters, gradients, momentumBuffer, default, default);
    }

    /// <summary>
    /// torch.optim.SGD's rule: Nesterov momentum needs a momentum and no dampening. Shared with FastNN.Optimizers.Sgd, so
    /// that the optimizer and the kernel refuse alike, with the same message.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> with μ ≤ 0 or τ ≠ 0; named <paramref name="name"/>.</exception>
    internal static void CheckNesterov(double momentum, double dampening, bool nesterov, string name)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum needs momentum > 0 and dampening 0 (got momentum {momentum}, dampening {dampening}).", name);
    }

    /// <summary>SGD's update for one element; the hyper-parameters are already converted to T.</summary>
    internal readonly struct SgdOperator<T> : IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _learningRate, _momentum, _oneMinusDampening, _weightDecay, _shrink;
        private readonly bool _coupled, _decoupled, _useMomentum, _nesterov, _firstStep;

        public SgdOperator(double learningRate, double momentum, double dampening, bool nesterov,
            double weightDecay, bool decoupledWeightDecay, bool firstStep)
        {
            // As PyTorch, a zero decay is skipped rather than multiplied in.
            _coupled = weightDecay != 0 && !decoupledWeightDecay;
            _decoupled = weightDecay != 0 && decoupledWeightDecay;
            _useMomentum = momentum != 0;
            // Only what the update uses must be finite in T: τ and μ without momentum, λ where it only shrinks, are not.
            _learningRate = HyperParameter.FiniteIn<T>(learningRate, nameof(learningRate), learningRate);
            _momentum = HyperParameter.FiniteIn<T>(momentum, nameof(momentum), momentum);
            _oneMinusDampening = _useMomentum ? HyperParameter.FiniteIn<T>(1 - dampening, nameof(dampening), dampening, "1 − dampening") : T.One;
            _weightDecay = _coupled ? HyperParameter.FiniteIn<T>(weightDecay, nameof(weightDecay), weightDecay) : T.Zero;
            _shrink = _decoupled ? HyperParameter.FiniteIn<T>(1 - learningRate * weightDecay, nameof(weightDecay), weightDecay, "1 − learningRate·weightDecay") : T.One;
            _nesterov = nesterov;
            _firstStep = firstStep;
        }

        public int StateCount => _useMomentum ? 1 : 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Update<TWidth, TVector>(ref T p, ref T g, ref T b, ref T s1, ref T s2, nuint i, nuint n)
            where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
            UpdateDriver.Loop<T, Lanes<TWidth, TVector>, TWidth, TVector>(new(this), StateCount, ref p, ref g, ref b, ref s1, ref s2, i, n);

        private readonly struct Lanes<TWidth, TVector> : IUpdateLanes<TVector>
            where TWidth : IVectorWidth<T, TVector> where TVector : struct
        {
            private readonly TVector _learningRate, _momentum, _oneMinusDampening, _weightDecay, _shrink;
            private readonly bool _coupled, _decoupled, _useMomentum, _nesterov, _firstStep;

            public Lanes(in SgdOperator<T> op)
            {
                (_learningRate, _momentum, _oneMinusDampening) = (TWidth.Broadcast(op._learningRate), TWidth.Broadcast(op._momentum), TWidth.Broadcast(op._oneMinusDampening));
                (_weightDecay, _shrink) = (TWidth.Broadcast(op._weightDecay), TWidth.Broadcast(op._shrink));
                (_coupled, _decoupled, _useMomentum, _nesterov, _firstStep) = (op._coupled, op._decoupled, op._useMomentum, op._nesterov, op._firstStep);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke(ref TVector p, TVector g, ref TVector b, ref TVector s1, ref TVector s2)
            {
                if (_decoupled) p = TWidth.Multiply(p, _shrink);                                                 // θ ← θ·(1 − γ·λ)
                if (_coupled) g = TWidth.Add(g, TWidth.Multiply(_weightDecay, p));                                // g ← g + λ·θ
                if (_useMomentum)
                {
                    b = TWidth.FlushSubnormals(_firstStep ? g
                        : TWidth.Add(TWidth.Multiply(_momentum, b), TWidth.Multiply(_oneMinusDampening, g)));    // b ← μ·b + (1 − τ)·g, flushed
                    g = _nesterov ? TWidth.Add(g, TWidth.Multiply(_momentum, b)) : b;                             // g ← g + μ·b  or  g ← b
                }
                p = TWidth.Subtract(p, TWidth.Multiply(_learningRate, g));                                        // θ ← θ − γ·g
            }
        }
    }
}
