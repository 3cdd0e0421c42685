using System.Numerics;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>A penalty on the parameters that is added to the loss and whose gradient is added to the parameter gradients.</summary>
/// <remarks>Thread safety: the built-in penalties are immutable and may be shared between threads; an implementation of
/// your own should be too, or say otherwise.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Adds the penalty's gradient to <paramref name="gradients"/> (accumulating, +=) and returns the penalty to add to the loss.</summary>
    /// <param name="parameters">The model's parameter buffer.</param>
    /// <param name="gradients">The gradient buffer, same layout; the penalty's gradient is added.</param>
    /// <param name="tensors">The model's parameter tensors; only the kinds the regularizer applies to are penalized.</param>
    /// <returns>The penalty's value.</returns>
    T AddTo(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors);
}
