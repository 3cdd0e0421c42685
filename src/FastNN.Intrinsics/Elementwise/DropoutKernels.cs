using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNN.Intrinsics;

/// <summary>Inverted dropout's mask and product from random bits drawn beforehand, without a branch per element.</summary>
/// <remarks>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</remarks>
public static class DropoutKernels
{
    /// <summary>
    /// <c>mask[i] = uᵢ &lt; threshold ? 0 : keep</c> and <c>y[i] = x[i]·mask[i]</c>, where uᵢ are 32 random bits per
    /// element: the low half of <c>bits[i / 2]</c> for even i, the high half for odd i (so one 64-bit draw serves two
    /// elements, and the last draw's high half goes unused when the length is odd).
    /// </summary>
    /// <remarks>A threshold of p·2³² drops each element with probability p (exact to 2⁻³²); 2³² drops every element.
    /// NaN or ±∞ in x stays NaN in y where dropped (x·0), as PyTorch's product.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="bits">(x.Length + 1) / 2 random 64-bit draws.</param>
    /// <param name="threshold">Elements whose bits fall below it are dropped: 0 (none) to 2³² (all).</param>
    /// <param name="keep">The value of a kept element's mask, 1/(1 − p).</param>
    /// <param name="x">The input.</param>
    /// <param name="mask">The mask, overwritten (the backward pass multiplies dy by it).</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="mask"/> or <paramref name="y"/> differs in length from <paramref name="x"/>, or <paramref name="bits"/> does not hold (x.Length + 1) / 2 draws.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>, or <paramref name="mask"/> overlaps <paramref name="x"/> or <paramref name="y"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is above 2³², or <paramref name="keep"/> is negative, infinite or NaN.</exception>
    public static void Apply<T>(ReadOnlySpan<ulong> bits, ulong threshold, T keep, ReadOnlySpan<T> x, Span<T> mask, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        SpanChecks.SameLength<T>(x, nameof(x), mask, nameof(mask));
        SpanChecks.Disjoint<T>(x, nameof(x), mask, nameof(mask));
        SpanChecks.Disjoint<T>(mask, nameof(mask), y, nameof(y));
        if (bits.Length != (x.Length + 1) / 2)
            throw new ArgumentException($"bits holds {bits.Length} draws; {x.Length} elements need (n + 1) / 2 = {(x.Length + 1) / 2}.", nameof(bits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1UL << 32);
        if (!(keep >= T.Zero) || !T.IsFinite(keep))
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep must be finite and non-negative (1/(1 − p)).");
        // 2³² drops everything: every mask 0 whatever the comparison says.
        uint limit = (uint)Math.Min(threshold, uint.MaxValue);
        if (threshold > uint.MaxValue)
            keep = T.Zero;

        ref ulong b = ref MemoryMarshal.GetReference(bits);
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ms = ref MemoryMarshal.GetReference(mask);
        ref T ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        // Vector<T> exists for float and double; another element type the constraint admits (Half) takes the scalar loop.
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && BitConverter.IsLittleEndian)
        {
            // Little-endian: the uint at 2j is draw j's low half, at 2j + 1 its high half, the order of the elements.
            ref uint u = ref Unsafe.As<ulong, uint>(ref b);
            nuint count = (nuint)Vector<uint>.Count;
            Vector<uint> limits = new(limit);
            Vector<T> keeps = new(keep);
            for (; i + count <= n; i += count)
            {
                Vector<int> dropped = Vector.AsVectorInt32(Vector.LessThan(Vector.LoadUnsafe(ref u, i), limits));
                if (typeof(T) == typeof(float))
                {
                    Store(Vector.As<int, T>(dropped), keeps, ref xs, ref ms, ref ys, i);
                }
                else
                {
                    // double: each 32-bit lane's all-ones or zero, sign-extended to 64 bits, over two vectors of doubles
                    Vector.Widen(dropped, out Vector<long> low, out Vector<long> high);
                    Store(Vector.As<long, T>(low), keeps, ref xs, ref ms, ref ys, i);
                    Store(Vector.As<long, T>(high), keeps, ref xs, ref ms, ref ys, i + count / 2);
                }
            }
        }
        for (; i < n; i++)
        {
            ulong draw = Unsafe.Add(ref b, i / 2);
            uint ui = (uint)(i % 2 == 0 ? draw : draw >> 32);
            T m = ui < limit ? T.Zero : keep;
            Unsafe.Add(ref ms, i) = m;
            Unsafe.Add(ref ys, i) = Unsafe.Add(ref xs, i) * m;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Vector<T> dropped, Vector<T> keeps, ref T x, ref T mask, ref T y, nuint i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector<T> m = Vector.ConditionalSelect(dropped, Vector<T>.Zero, keeps);
        m.StoreUnsafe(ref mask, i);
        (Vector.LoadUnsafe(ref x, i) * m).StoreUnsafe(ref y, i);
    }
}
