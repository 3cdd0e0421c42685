using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// d = x + y over floats written out by hand, as the library's bespoke add was before its drivers caught up (main
/// 6630bae, <c>Arithmetic.Add</c> with its <c>SumKernel</c>): scalars up to d's first 64-byte boundary, then four vectors
/// of the widest width an iteration, then single vectors, then scalars. The reference a generic driver must match.
/// </summary>
internal static class HandWrittenSweep
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        ref float xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y), ds = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length, i = 0;
        nuint head = Math.Min(n, (64 - (nuint)Unsafe.AsPointer(ref ds) % 64) % 64 / sizeof(float));
        for (; i < head; i++)
            Unsafe.Add(ref ds, i) = Unsafe.Add(ref xs, i) + Unsafe.Add(ref ys, i);
        if (Vector512.IsHardwareAccelerated)
        {
            nuint c = (nuint)Vector512<float>.Count;
            for (; i + 4 * c <= n; i += 4 * c)
            {
                Vector512<float> s0 = Vector512.LoadUnsafe(ref xs, i) + Vector512.LoadUnsafe(ref ys, i);
                Vector512<float> s1 = Vector512.LoadUnsafe(ref xs, i + c) + Vector512.LoadUnsafe(ref ys, i + c);
                Vector512<float> s2 = Vector512.LoadUnsafe(ref xs, i + 2 * c) + Vector512.LoadUnsafe(ref ys, i + 2 * c);
                Vector512<float> s3 = Vector512.LoadUnsafe(ref xs, i + 3 * c) + Vector512.LoadUnsafe(ref ys, i + 3 * c);
                s0.StoreUnsafe(ref ds, i);
                s1.StoreUnsafe(ref ds, i + c);
                s2.StoreUnsafe(ref ds, i + 2 * c);
                s3.StoreUnsafe(ref ds, i + 3 * c);
            }
            for (; i + c <= n; i += c)
                (Vector512.LoadUnsafe(ref xs, i) + Vector512.LoadUnsafe(ref ys, i)).StoreUnsafe(ref ds, i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            nuint c = (nuint)Vector256<float>.Count;
            for (; i + 4 * c <= n; i += 4 * c)
            {
                Vector256<float> s0 = Vector256.LoadUnsafe(ref xs, i) + Vector256.LoadUnsafe(ref ys, i);
                Vector256<float> s1 = Vector256.LoadUnsafe(ref xs, i + c) + Vector256.LoadUnsafe(ref ys, i + c);
                Vector256<float> s2 = Vector256.LoadUnsafe(ref xs, i + 2 * c) + Vector256.LoadUnsafe(ref ys, i + 2 * c);
                Vector256<float> s3 = Vector256.LoadUnsafe(ref xs, i + 3 * c) + Vector256.LoadUnsafe(ref ys, i + 3 * c);
                s0.StoreUnsafe(ref ds, i);
                s1.StoreUnsafe(ref ds, i + c);
                s2.StoreUnsafe(ref ds, i + 2 * c);
                s3.StoreUnsafe(ref ds, i + 3 * c);
            }
            for (; i + c <= n; i += c)
                (Vector256.LoadUnsafe(ref xs, i) + Vector256.LoadUnsafe(ref ys, i)).StoreUnsafe(ref ds, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref ds, i) = Unsafe.Add(ref xs, i) + Unsafe.Add(ref ys, i);
    }
}
