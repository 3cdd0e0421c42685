using System.Numerics;

namespace FastNN.IO;

/// <summary>A tensor a strict load expects: its state-dict name, its shape, whether it is a count (stored as I64) and
/// whether it is a variance (finite and non-negative).</summary>
internal sealed record TensorSpec(string Name, int[] Shape, bool IsInteger, bool IsVariance = false)
{
    public string FormatShape() => Layers.TensorShape.Format(Shape);

    /// <summary>What is wrong with <paramref name="values"/> for this tensor (see <see cref="ValueProblem{T}"/>), or null.</summary>
    public string? Problem<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T> => ValueProblem(IsInteger, IsVariance, values);

    /// <summary>
    /// The first element a count or a variance cannot hold, as "is a count but holds -5 (element 0), ...", or null.
    /// <paramref name="values"/> are the tensor's elements in the state buffer: a count tensor's as
    /// <see cref="Layers.StateCount"/> holds them (values, then remainders). A count is a non-negative integer up to
    /// <see cref="Layers.StateCount.Largest{T}"/> (so that the model holds it exactly and it converts to I64); a variance
    /// is finite and non-negative. Other tensors may hold any value.
    /// </summary>
    public static string? ValueProblem<T>(bool isInteger, bool isVariance, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (isInteger)
            return CountProblem(values);
        for (int i = 0; isVariance && i < values.Length; i++)
        {
            if (!(T.IsFinite(values[i]) && values[i] >= T.Zero))
                return $"is a variance but holds {values[i]} (element {i}), which is not finite and non-negative.";
        }
        return null;
    }

    private static string? CountProblem<T>(ReadOnlySpan<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int counts = tensor.Length / 2;
        long largest = Layers.StateCount.Largest<T>();
        for (int i = 0; i < counts; i++)
        {
            T value = tensor[i], remainder = tensor[counts + i];
            // StateCount's sum saturates where the parts pass every count, so it cannot wrap into range.
            bool integers = T.IsInteger(value) && T.IsInteger(remainder);
            Int128 count = integers ? Layers.StateCount.Sum(tensor, i) : -1;
            if (!integers || count < 0 || count > largest)
                return $"is a count but holds {(integers ? count : $"{value} + {remainder}")} (element {i}) in a {typeof(T).Name} model, which is not an integer from 0 to {largest} (the counts it holds exactly).";
        }
        return null;
    }
}
