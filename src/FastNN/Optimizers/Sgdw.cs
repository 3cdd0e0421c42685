using System.Numerics;

namespace FastNN.Optimizers;

/// <summary>
/// SGD with decoupled weight decay (SGDW, Loshchilov &amp; Hutter, 2019): the decay shrinks the weights directly instead
/// of entering the gradient and the momentum buffer. PyTorch has no such class; this is torch.optim.SGD with its
/// <c>weight_decay</c> line replaced by AdamW's.
/// </summary>
/// <remarks><para>Each <see cref="Optimizer{T}.Step"/>, for t = 1, 2, … and every parameter θ with gradient g:</para><code>
/// θ ← θ − γ·λ·θ                               (decoupled weight decay, before the step)
/// b ← g                      (t = 1)          (μ ≠ 0: momentum buffer)
/// b ← μ·b + (1 − τ)·g        (t &gt; 1)
/// g ← g + μ·b  (Nesterov),   g ← b  (otherwise)
/// θ ← θ − γ·g
/// </code><para>Defaults: γ = 1e-3, μ = 0, τ = 0, Nesterov off, λ = 1e-2 (as AdamW). State: <c>momentum_buffer</c> (when μ ≠ 0).
/// With momentum the two differ: SGD's decay accumulates in the buffer, SGDW's does not.</para>
/// <para>State values below the smallest normal number are stored as zero (see <see cref="Optimizer{T}"/>).</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgdw<T> : Sgd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates SGDW over a buffer of <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter and gradient buffers.</param>
    /// <param name="learningRate">γ, the learning rate (default: 1e-3).</param>
    /// <param name="momentum">μ, the momentum factor (default: 0).</param>
    /// <param name="dampening">τ, the dampening of the gradient in the momentum buffer (default: 0).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum (default: false); needs μ &gt; 0 and τ = 0.</param>
    /// <param name="weightDecay">λ, decoupled weight decay: θ shrinks by γ·λ·θ each step (default: 1e-2).</param>
    /// <param name="groups">Parameter groups with their own γ and λ; null: one group over the whole buffer (see <see cref="ParameterGroup.DecayWeightsOnly"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative, infinite or NaN, or γ, μ or 1 − τ (with momentum) is not finite in <typeparamref name="T"/> (λ is used in T only in 1 − γ·λ, checked by each step).</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening, or a bad group.</exception>
    public Sgdw(int parameterCount, double learningRate = 1e-3, double momentum = 0, double dampening = 0,
        bool nesterov = false, double weightDecay = 1e-2, IReadOnlyList<ParameterGroup>? groups = null)
        : base(parameterCount, learningRate, momentum, dampening, nesterov, weightDecay, groups, decoupled: true)
    {
    }

    /// <inheritdoc/>
    public override string Algorithm => "SGDW";
}
