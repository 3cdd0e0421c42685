using System.Numerics;

namespace FastNN.Optimizers;

/// <summary>AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter, 2019), as torch.optim.AdamW.</summary>
/// <remarks><para>Each <see cref="Optimizer{T}.Step"/>, for t = 1, 2, … and every parameter θ with gradient g:</para><code>
/// θ ← θ − γ·λ·θ                            (decoupled weight decay, in the same pass)
/// m ← β1·m + (1 − β1)·g                    v ← β2·v + (1 − β2)·g²
/// v̂max ← max(v̂max, v)                      (AMSGrad: the maximum of the raw v, as PyTorch's code does)
/// d ← √v / √(1 − β2^t) + ε                 (√v̂max in place of √v with AMSGrad)
/// θ ← θ − (γ / (1 − β1^t))·m / d
/// </code><para>Defaults: γ = 1e-3, (β1, β2) = (0.9, 0.999), ε = 1e-8, λ = 1e-2, AMSGrad off. State: <c>exp_avg</c>,
/// <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c> (AMSGrad). The decay γ·λ·θ does not pass through m and v: a weight whose
/// gradient has always been zero (m = 0) shrinks by exactly the factor (1 − γ·λ) per step (with ε &gt; 0; with ε = 0,
/// as PyTorch's, m / d is 0/0 and it becomes NaN), where
/// <see cref="Adam{T}"/>'s coupled decay moves it by about γ·sign(θ); one with a gradient history also takes the Adam
/// step of its decaying m, so a zero gradient alone does not make the step a pure shrink.</para>
/// <para>State values below the smallest normal number are stored as zero (see <see cref="Optimizer{T}"/>).</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class AdamW<T> : Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates AdamW over a buffer of <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter and gradient buffers.</param>
    /// <param name="learningRate">γ, the learning rate (default: 1e-3).</param>
    /// <param name="beta1">β1, the decay of the gradient average (default: 0.9).</param>
    /// <param name="beta2">β2, the decay of the squared-gradient average (default: 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator for numerical stability (default: 1e-8). 0 is allowed, as in
    /// PyTorch, but then θ becomes NaN (m / d = 0/0) wherever every gradient so far has been 0; below 6e-11 in float (at
    /// β2 = 0.999) no state is flushed to zero (see <see cref="Optimizer{T}"/>).</param>
    /// <param name="weightDecay">λ, the decoupled weight decay coefficient (default: 1e-2).</param>
    /// <param name="amsGrad">Whether to use the AMSGrad variant (default: false).</param>
    /// <param name="groups">Parameter groups with their own γ and λ; null: one group over the whole buffer, decaying every tensor (see <see cref="ParameterGroup.DecayWeightsOnly"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">γ, ε or λ is negative, infinite or NaN; a β is outside [0, 1); γ or ε is not finite in <typeparamref name="T"/>; ε is positive but rounds to 0 there (λ is used in T only in 1 − γ·λ, checked by each step); or the first step size γ / (1 − β1) of γ or a group's rate is not finite in <typeparamref name="T"/>, so that no step could be taken.</exception>
    /// <exception cref="ArgumentException">A bad group.</exception>
    public AdamW(int parameterCount, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2, bool amsGrad = false, IReadOnlyList<ParameterGroup>? groups = null)
        : base(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad, groups, decoupled: true)
    {
    }

    /// <inheritdoc/>
    public override string Algorithm => "AdamW";
}
