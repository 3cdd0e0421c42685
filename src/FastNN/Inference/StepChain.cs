using System.Numerics;

namespace FastNN.Inference;

/// <summary>
/// Steps run one after another over one workspace: a predictor's whole model, or the body of a residual or concat
/// block. Two buffers take turns holding the activations between steps; the caller's spans are the first input and
/// the last output.
/// </summary>
/// <remarks>Workspace layout for a call of r rows: <c>[even: r·w][odd: r·w][scratch: the most any step needs for r rows]</c>,
/// w the widest activation between two steps. Everything grows with r, so a workspace sized for the most rows serves
/// any fewer as a prefix.</remarks>
internal sealed class StepChain<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly InferenceStep<T>[] _steps;
    private readonly int _widest;

    public StepChain(IReadOnlyList<InferenceStep<T>> steps)
    {
        _steps = [.. steps];
        for (int s = 0; s + 1 < _steps.Length; s++)
            _widest = Math.Max(_widest, _steps[s].OutputSize);
    }

    public IReadOnlyList<InferenceStep<T>> Steps => _steps;

    public int InputSize => _steps[0].InputSize;

    public int OutputSize => _steps[^1].OutputSize;

    /// <summary>Elements of workspace <see cref="Run"/> needs for <paramref name="rows"/> rows.</summary>
    /// <exception cref="OverflowException">It does not fit in an int.</exception>
    public int WorkspaceLength(int rows) => checked(2 * ActivationLength(rows) + ScratchLength(rows));

    private int ActivationLength(int rows) => checked(rows * _widest);

    private int ScratchLength(int rows)
    {
        int scratch = 0;
        foreach (InferenceStep<T> step in _steps)
            scratch = Math.Max(scratch, step.ScratchLength(rows));
        return scratch;
    }

    /// <summary>y = f(x) on <paramref name="rows"/> rows, in the first <see cref="WorkspaceLength"/> elements of <paramref name="workspace"/>; x and y do not overlap each other or that part.</summary>
    public void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> workspace)
    {
        int activations = ActivationLength(rows);
        Span<T> even = workspace[..activations], odd = workspace.Slice(activations, activations);
        Span<T> scratch = workspace.Slice(2 * activations, ScratchLength(rows));
        for (int s = 0; s < _steps.Length; s++)
        {
            InferenceStep<T> step = _steps[s];
            Span<T> output = s == _steps.Length - 1 ? y : (s % 2 == 0 ? even : odd)[..(rows * step.OutputSize)];
            step.Run(x, output, rows, scratch);
            x = output;
        }
    }
}
