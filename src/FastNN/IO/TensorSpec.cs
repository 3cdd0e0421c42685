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
    /// The first element a count or a variance cannot hold, as "is a count but holds -5 (element 0), ...", or null. A
    /// count is a non-negative integer below 2⁶³ (so that it converts to I64 exactly); a variance is finite and
    /// non-negative. Other tensors may hold any value.
    /// </summary>
    public static string? ValueProblem<T>(bool isInteger, bool isVariance, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            if (isInteger && !(T.IsInteger(v) && v >= T.Zero && v < T.CreateTruncating(9223372036854775808.0)))
                return $"is a count but holds {v} (element {i}) as {typeof(T).Name}, which is not a non-negative integer below 2⁶³.";
            if (isVariance && !(T.IsFinite(v) && v >= T.Zero))
                return $"is a variance but holds {v} (element {i}), which is not finite and non-negative.";
        }
        return null;
    }
}
