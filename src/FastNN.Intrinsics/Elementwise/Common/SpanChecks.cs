using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNN.Intrinsics;

/// <summary>Argument rules shared by the element-wise entry points, checked before any kernel runs.</summary>
internal static class SpanChecks
{
    public static void SameLength<T>(ReadOnlySpan<T> a, string aName, ReadOnlySpan<T> b, string bName)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"{bName} has length {b.Length} but {aName} has length {a.Length}; they must match.", bName);
    }

    /// <summary>The output may be the very same span as the input (in place) or disjoint from it, never partly overlapping.</summary>
    /// <remarks>
    /// Compared by address, not through Overlaps' element offset: spans that overlap at a byte offset that is no multiple
    /// of the element size (cast from bytes) made that overload throw its own ArgumentException, naming no argument.
    /// </remarks>
    public static void IdenticalOrDisjoint<T>(ReadOnlySpan<T> input, string inputName, ReadOnlySpan<T> output, string outputName)
    {
        if (!input.Overlaps(output))
            return;
        nint bytes = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output));
        if (bytes != 0 || input.Length != output.Length)
            throw new ArgumentException($"{outputName} partially overlaps {inputName} (it starts {bytes} bytes after it); it must be the same span (in place) or not overlap at all.", outputName);
    }

    public static void Disjoint<T>(ReadOnlySpan<T> input, string inputName, ReadOnlySpan<T> output, string outputName)
    {
        if (input.Overlaps(output))
            throw new ArgumentException($"{outputName} overlaps {inputName}; it must not share memory with it.", outputName);
    }

    /// <summary>A [rows, cols] matrix: non-negative sizes and a span of exactly rows·cols elements.</summary>
    /// <remarks>A negative size is named as the caller passed it (LayerNorm's cols are its <c>features</c>).</remarks>
    public static void Matrix<T>(ReadOnlySpan<T> span, string name, int rows, int cols,
        [CallerArgumentExpression(nameof(rows))] string rowsName = "", [CallerArgumentExpression(nameof(cols))] string colsName = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, rowsName);
        ArgumentOutOfRangeException.ThrowIfNegative(cols, colsName);
        if (span.Length != (long)rows * cols)
            throw new ArgumentException($"{name} has length {span.Length} but a [{rows}, {cols}] matrix needs {(long)rows * cols}.", name);
    }

    public static void Finite<T>(T value, string name) where T : IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite.");
    }

    /// <summary>The common checks of y = f(x): equal lengths, y in place or disjoint.</summary>
    public static void Map<T>(ReadOnlySpan<T> x, string xName, ReadOnlySpan<T> y, string yName)
    {
        SameLength(x, xName, y, yName);
        IdenticalOrDisjoint(x, xName, y, yName);
    }

    /// <summary>The common checks of dx = dy·f'(a): equal lengths, dx in place on either input or disjoint.</summary>
    public static void Map<T>(ReadOnlySpan<T> a, string aName, ReadOnlySpan<T> dy, string dyName, ReadOnlySpan<T> dx, string dxName)
    {
        SameLength(a, aName, dy, dyName);
        SameLength(a, aName, dx, dxName);
        IdenticalOrDisjoint(a, aName, dx, dxName);
        IdenticalOrDisjoint(dy, dyName, dx, dxName);
    }
}
