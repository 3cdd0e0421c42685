using System.Numerics;
using FastNN.Models;
using FastNN.Regularization;

namespace FastNN.Cli.Training;

/// <summary>Several penalties applied together (an L1 and an L2 penalty: the elastic net).</summary>
internal sealed class PenaltySum<T>(IReadOnlyList<IRegularizer<T>> parts) : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public T AddTo(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        T sum = T.Zero;
        for (int i = 0; i < parts.Count; i++)
            sum += parts[i].AddTo(parameters, gradients, tensors);
        return sum;
    }
}
