using System.Numerics;
using System.Numerics.Tensors;

namespace FastNN.Inference;

/// <summary>
/// A residual block, <c>y = x + f(x)</c> or <c>y = x Pᵀ + f(x)</c>, with its body planned as steps like the model's
/// (each Dense prepacked, fused with its activation) and its projection prepacked: every row's result then does not
/// depend on the batch, as the rest of the predictor's.
/// </summary>
internal sealed class ResidualStep<T> : InferenceStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StepChain<T> _body;
    private readonly DenseStep<T>? _projection;
    private readonly string _name;

    /// <param name="body">f.</param>
    /// <param name="projection">x ↦ x Pᵀ (no bias, identity), or null when f keeps the width.</param>
    /// <param name="name">What the step came from, such as <c>3 Residual</c>.</param>
    public ResidualStep(StepChain<T> body, DenseStep<T>? projection, string name)
        : base(body.InputSize, body.OutputSize)
    {
        _body = body;
        _projection = projection;
        _name = name;
    }

    public override string Name => _name;

    // The body's workspace; then, reusing it, x Pᵀ and the projection's own scratch.
    public override int ScratchLength(int rows) => Math.Max(_body.WorkspaceLength(rows),
        _projection is null ? 0 : checked(rows * OutputSize + _projection.ScratchLength(rows)));

    public override void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> scratch)
    {
        _body.Run(x, y, rows, scratch);
        if (_projection is null)
        {
            TensorPrimitives.Add(x, y, y);
            return;
        }
        Span<T> projected = scratch[..(rows * OutputSize)];
        _projection.Run(x, projected, rows, scratch[projected.Length..]);
        TensorPrimitives.Add(projected, y, y);
    }
}
