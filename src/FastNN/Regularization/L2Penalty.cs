using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>The L2 penalty (ridge, Tikhonov): <c>R = λ/2 · Σ w²</c>, whose gradient <c>λ·w</c> is added to the gradient.</summary>
/// <remarks>
/// <para>It is a term of the loss, so it shows in the reported loss and passes through the optimizer like any gradient.
/// Its gradient is what coupled weight decay adds (the <c>weightDecay</c> = λ of Sgd, RmsProp and Adam, as torch.optim's
/// <c>weight_decay</c>), so on the same tensors the two take the same steps with any of them; but the optimizers decay
/// every tensor unless given groups (<see cref="Optimizers.ParameterGroup.DecayWeightsOnly"/>), the penalty weights only,
/// and a trainer's <see cref="Training.Trainer{T}.MaxGradientNorm"/> or <see cref="Training.Trainer{T}.MaxGradientValue"/>
/// clips the penalty's gradient with the loss's while the optimizer adds its decay after clipping (as clip_grad_norm_ or
/// clip_grad_value_ before optimizer.step in PyTorch), so with clipping they differ whenever it scales or clamps.
/// With plain SGD either is a uniform shrink, <c>w ← w − γ·(g + λ·w)</c>; with momentum, RMSprop or Adam the λ·w term
/// is averaged and scaled by the optimizer's normalization like the rest of the gradient. Decoupled decay
/// (<see cref="Optimizers.AdamW{T}"/>, <see cref="Optimizers.Sgdw{T}"/>) shrinks weights directly, outside that
/// normalization, and is not part of the loss; with AdamW and this penalty both apply.</para>
/// <para>Applies to <see cref="ParameterKind.Weight"/> tensors unless other kinds are given: penalizing biases or
/// normalization parameters constrains offsets and scales rather than model complexity.</para>
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class L2Penalty<T> : Penalty<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an L2 penalty.</summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="kinds">The tensor kinds penalized (default: weights only).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, infinite or NaN, or not finite in <typeparamref name="T"/> (1e39 in float), or a kind is not a <see cref="ParameterKind"/>.</exception>
    public L2Penalty(double lambda, IEnumerable<ParameterKind>? kinds = null)
        : base(lambda, kinds)
    {
    }

    private protected override double AddGradient(ReadOnlySpan<T> w, Span<T> g, T lambda)
    {
        TensorPrimitives.MultiplyAdd(w, lambda, g, g);   // g ← g + λ·w
        return double.CreateTruncating(TensorPrimitives.SumOfSquares(w));
    }

    private protected override double Term(double w) => w * w;

    private protected override double Value(double sum, int exponent) => Math.ScaleB(Lambda / 2 * sum, 2 * exponent);   // R = λ/2·Σw²
}
