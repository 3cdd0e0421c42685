using System.Numerics;

namespace FastNN.Inference;

/// <summary>
/// A concat block, <c>y = [x, f(x)]</c>, with its body planned as steps like the model's (each Dense prepacked, fused
/// with its activation): every row's result then does not depend on the batch, as the rest of the predictor's.
/// </summary>
internal sealed class ConcatStep<T> : InferenceStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StepChain<T> _body;
    private readonly string _name;

    /// <param name="body">f.</param>
    /// <param name="name">What the step came from, such as <c>4 Concat</c>.</param>
    public ConcatStep(StepChain<T> body, string name)
        : base(body.InputSize, body.InputSize + body.OutputSize)
    {
        _body = body;
        _name = name;
    }

    public override string Name => _name;

    // f(x), then the body's workspace.
    public override int ScratchLength(int rows) => checked(rows * _body.OutputSize + _body.WorkspaceLength(rows));

    public override void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> scratch)
    {
        int inWidth = InputSize, bodyWidth = _body.OutputSize;
        Span<T> fx = scratch[..(rows * bodyWidth)];
        _body.Run(x, fx, rows, scratch[fx.Length..]);
        for (int r = 0; r < rows; r++)
        {
            x.Slice(r * inWidth, inWidth).CopyTo(y.Slice(r * OutputSize, inWidth));
            fx.Slice(r * bodyWidth, bodyWidth).CopyTo(y.Slice(r * OutputSize + inWidth, bodyWidth));
        }
    }
}
