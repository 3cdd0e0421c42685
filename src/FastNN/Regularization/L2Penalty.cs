using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>The L2 penalty (ridge, Tikhonov): <c>R = λ/2 · Σ w²</c>, whose gradient <c>λ·w</c> is added to the gradient.</summary>
/// <remarks>
/// <para>It is a term of the loss, so it shows in the reported loss and passes through the optimizer like any gradient.
/// With plain SGD it equals coupled weight decay (Sgd's <c>weightDecay</c> = λ): <c>w ← w − γ·(g + λ·w)</c>. With
/// momentum, RMSprop or Adam it is scaled by the optimizer's normalization and is no longer a uniform shrink; decoupled
/// decay (<see cref="Optimizers.AdamW{T}"/>, <see cref="Optimizers.Sgdw{T}"/>) shrinks weights directly and is not part of the loss.</para>
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
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, infinite or NaN.</exception>
    public L2Penalty(double lambda, IEnumerable<ParameterKind>? kinds = null)
        : base(lambda, kinds)
    {
    }

    private protected override double AddGradient(ReadOnlySpan<T> w, Span<T> g, T lambda)
    {
        TensorPrimitives.MultiplyAdd(w, lambda, g, g);   // g ← g + λ·w
        return double.CreateTruncating(TensorPrimitives.SumOfSquares(w));
    }

    private protected override double Value(double sum) => Lambda / 2 * sum;   // R = λ/2·Σw²
}
