using System.Numerics;
using FastNN.Models;

namespace FastNN.Training;

/// <summary>
/// A regularization penalty: adds its gradient into <paramref name="gradients"/> and returns the amount it adds to
/// the loss. An L1 or L2 regularizer's <c>AddTo</c> method fits this signature.
/// </summary>
/// <param name="parameters">The model's flat parameter buffer.</param>
/// <param name="gradients">The model's flat gradient buffer, accumulated into.</param>
/// <param name="tensors">The model's tensor table (penalties usually apply to weights only).</param>
/// <returns>The penalty's value.</returns>
public delegate T Penalty<T>(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    where T : unmanaged, IFloatingPointIeee754<T>;
