using System.Numerics;

namespace FastNN.Inference;

/// <summary>One stage of a <see cref="Predictor{T}"/>: an immutable function from <c>[rows, InputSize]</c> to <c>[rows, OutputSize]</c>.</summary>
/// <remarks>Steps hold only read-only data, so any number of threads may run one at a time, each with its own scratch.</remarks>
internal abstract class InferenceStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected InferenceStep(int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Elements of scratch <see cref="Run"/> needs for <paramref name="rows"/> rows.</summary>
    public abstract int ScratchLength(int rows);

    /// <summary>y = f(x) on <paramref name="rows"/> rows; x and y do not overlap.</summary>
    public abstract void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> scratch);

    /// <summary>What the step is, for messages and <see cref="Predictor{T}.Describe"/>.</summary>
    public abstract string Name { get; }
}
