using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        // The elements before destination's first 64-byte boundary on their own, so that the widest stores after them do not split cache lines.
        int head = Math.Min(x.Length, (int)Elementwise.ElementsToAlignment(ref MemoryMarshal.GetReference(destination), (nuint)(64 / Unsafe.SizeOf<T>())));
        Sum(x[..head], y[..head], destination[..head]);
        Sum(x[head..], y[head..], destination[head..]);
    }

    private static void Sum<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = new SumKernel<T>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(destination));
        Elementwise.Sweep<T, SumKernel<T>>(ref kernel, x.Length);
    }
}

/// <summary>d = x + y, four vectors an iteration (a pass of one add per three memory operations runs at the loop's overhead otherwise)</summary>
internal readonly ref struct SumKernel<T>(ref T x, ref T y, ref T d) : ISpanKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ref T _x = ref x, _y = ref y, _d = ref d;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint start, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        nuint count = (nuint)TWidth.Count, i = start;
        for (; i + 4 * count <= end; i += 4 * count)
        {
            TVector s0 = TWidth.Add(TWidth.Load(ref _x, i), TWidth.Load(ref _y, i));
            TVector s1 = TWidth.Add(TWidth.Load(ref _x, i + count), TWidth.Load(ref _y, i + count));
            TVector s2 = TWidth.Add(TWidth.Load(ref _x, i + 2 * count), TWidth.Load(ref _y, i + 2 * count));
            TVector s3 = TWidth.Add(TWidth.Load(ref _x, i + 3 * count), TWidth.Load(ref _y, i + 3 * count));
            TWidth.Store(s0, ref _d, i);
            TWidth.Store(s1, ref _d, i + count);
            TWidth.Store(s2, ref _d, i + 2 * count);
            TWidth.Store(s3, ref _d, i + 3 * count);
        }
        for (; i < end; i += count)
            TWidth.Store(TWidth.Add(TWidth.Load(ref _x, i), TWidth.Load(ref _y, i)), ref _d, i);
    }
}
