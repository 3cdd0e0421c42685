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
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class L2Penalty<T> : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterKind[] _kinds;

    /// <summary>Creates an L2 penalty.</summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="kinds">The tensor kinds penalized (default: weights only).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, infinite or NaN.</exception>
    public L2Penalty(double lambda, IEnumerable<ParameterKind>? kinds = null)
    {
        Lambda = Penalty.CheckLambda(lambda);
        _kinds = Penalty.Kinds(kinds);
    }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <summary>The tensor kinds penalized.</summary>
    public IReadOnlyList<ParameterKind> Kinds => _kinds;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">The buffers' lengths differ, or a tensor lies outside them.</exception>
    public T AddTo(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        Penalty.CheckBuffers(parameters, gradients, tensors);
        T lambda = T.CreateChecked(Lambda);
        double sumOfSquares = 0;
        for (int k = 0; k < tensors.Count; k++) // an index loop: foreach over the interface would allocate an enumerator
        {
            ParameterTensor tensor = tensors[k];
            if (Array.IndexOf(_kinds, tensor.Kind) < 0) continue;
            ReadOnlySpan<T> w = parameters.Slice(tensor.Offset, tensor.Length);
            Span<T> g = gradients.Slice(tensor.Offset, tensor.Length);
            sumOfSquares += double.CreateTruncating(TensorPrimitives.SumOfSquares(w));
            TensorPrimitives.MultiplyAdd(w, lambda, g, g);   // g ← g + λ·w
        }
        return T.CreateChecked(Lambda / 2 * sumOfSquares);   // R = λ/2·Σw²
    }
}
