using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Optimizers;

namespace FastNN.Training;

/// <summary>
/// An optimizer step run inside the backward pass: as each layer's gradients become final its update is queued and
/// spread over the next layer's products (<see cref="InterleavedUpdate{T}"/>), the rest finished after the pass.
/// </summary>
internal sealed class InterleavedStep<T> : IParametersReady where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Experiment switch: FASTNN_INTERLEAVE=0 takes the plain step.</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("FASTNN_INTERLEAVE") != "0";

    private readonly Sequential<T> _model;
    private readonly Optimizer<T> _optimizer;
    private readonly InterleavedUpdate<T> _queue = new();

    public InterleavedStep(Sequential<T> model, Optimizer<T> optimizer)
    {
        _model = model;
        _optimizer = optimizer;
    }

    /// <summary>Before the backward pass: t ← t + 1, the model told to report finished layers, the products to advance the queue.</summary>
    public void Begin()
    {
        _optimizer.BeginRangedStep();
        _model.BackwardObserver = this;
        _queue.Attach();
    }

    /// <summary>After the backward pass: whatever is left of the update, as one plain pass.</summary>
    public void End()
    {
        _queue.Detach();
        _model.BackwardObserver = null;
        _queue.Finish();
    }

    public void ParametersReady(int offset, int length, long nextFlops)
    {
        (T[] parameters, T[] gradients) = _model.Arrays;
        _optimizer.QueueRange(_queue, parameters, gradients, offset, length);
        _queue.SpreadOver(nextFlops);
    }
}
