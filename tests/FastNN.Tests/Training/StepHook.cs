using System.Numerics;
using FastNN.Models;
using FastNN.Regularization;

namespace FastNN.Tests.Training;

/// <summary>
/// A regularizer that runs <paramref name="onStep"/> with the step's number (1, 2, …) at every training step and adds
/// <paramref name="inner"/>'s penalty, or none: a way to act between two steps of an epoch, such as cancelling a Fit.
/// </summary>
internal sealed class StepHook<T>(IRegularizer<T>? inner, Action<int> onStep) : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _steps;

    public T AddTo(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        onStep(++_steps);
        return inner?.AddTo(parameters, gradients, tensors) ?? T.Zero;
    }
}
