using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>Element-wise arithmetic between tensors of one shape (a residual connection's sum).</summary>
/// <remarks>Exact up to the one rounding of each operation, the same on every instruction set.
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para></remarks>
public static class Arithmetic
{
    /// <summary>
    /// <c>destination[i] = x[i] + y[i]</c>, stored through the caches. (TensorPrimitives.Add stores outputs above 256 KB
    /// non-temporally, around the caches: a layer's output or gradient is read again at once, and then came from memory.)
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first addend.</param>
    /// <param name="y">The second addend, of the same length.</param>
    /// <param name="destination">The sum, overwritten; may be <paramref name="x"/> or <paramref name="y"/> itself.</param>
    /// <exception cref="ArgumentException">A span's length differs from <paramref name="x"/>'s, or <paramref name="destination"/> partially overlaps an addend.</exception>
    /// <remarks>Special values as IEEE addition: NaN → NaN, ∞ + −∞ → NaN, overflow → ±∞, −0 + −0 → −0 (+0 for any other zero sum).</remarks>
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y), destination, nameof(destination));
        Elementwise.Map(x, y, destination, default(AddOperator<T>));
    }
}
