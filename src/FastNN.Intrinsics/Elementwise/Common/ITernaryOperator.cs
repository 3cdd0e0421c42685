using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>w = f(x, y, z) element-wise (PReLU's per-feature derivative; accumulations such as s += g(x, dy)).</summary>
internal interface ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the driver runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    T Invoke(T x, T y, T z);
    Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> z);
    Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> z);
    Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> z);
}

internal static partial class Elementwise
{
    /// <summary>destination[i] = op(x[i], y[i], z[i]). Lengths are equal; destination is identical to or disjoint from each input (checked by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> destination, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, ITernaryOperator<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref T zs = ref MemoryMarshal.GetReference(z);
        ref T ds = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        if (TOperator.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
            {
                Vectorized<T, TOperator, Width512<T>, Vector512<T>>(ref xs, ref ys, ref zs, ref ds, n, op);
                return;
            }
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
            {
                Vectorized<T, TOperator, Width256<T>, Vector256<T>>(ref xs, ref ys, ref zs, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
            {
                Vectorized<T, TOperator, Width128<T>, Vector128<T>>(ref xs, ref ys, ref zs, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated)
            {
                // Shorter than every vector: one zero-padded vector (see the unary driver).
                StoreShort(op.Invoke(LoadShort(ref xs, n), LoadShort(ref ys, n), LoadShort(ref zs, n)), ref ds, n);
                return;
            }
        }
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref ds, i) = op.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i), Unsafe.Add(ref zs, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectorized<T, TOperator, TWidth, TVector>(ref T x, ref T y, ref T z, ref T d, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, ITernaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        nuint count = (nuint)TWidth.Count;
        // The operator copied (its fields in registers), first and last vectors from the untouched inputs, stored last:
        // as the span walk (Elementwise.Walk). Not through it: with its one-vector loop, LayerNorm's forward read 0.90-0.98x
        // of this four-vector one in two runs side by side (benchmarks/RESULTS.md, "One span walk for the element-wise drivers").
        TOperator f = op;
        TVector beg = TWidth.Apply(f, TWidth.Load(ref x, 0), TWidth.Load(ref y, 0), TWidth.Load(ref z, 0));
        TVector end = TWidth.Apply(f, TWidth.Load(ref x, n - count), TWidth.Load(ref y, n - count), TWidth.Load(ref z, n - count));
        nuint i = n >= 8 * count ? ElementsToAlignment(ref d, count) : 0;
        for (; i + 4 * count <= n; i += 4 * count)
        {
            TVector v0 = TWidth.Apply(f, TWidth.Load(ref x, i), TWidth.Load(ref y, i), TWidth.Load(ref z, i));
            TVector v1 = TWidth.Apply(f, TWidth.Load(ref x, i + count), TWidth.Load(ref y, i + count), TWidth.Load(ref z, i + count));
            TVector v2 = TWidth.Apply(f, TWidth.Load(ref x, i + 2 * count), TWidth.Load(ref y, i + 2 * count), TWidth.Load(ref z, i + 2 * count));
            TVector v3 = TWidth.Apply(f, TWidth.Load(ref x, i + 3 * count), TWidth.Load(ref y, i + 3 * count), TWidth.Load(ref z, i + 3 * count));
            TWidth.Store(v0, ref d, i);
            TWidth.Store(v1, ref d, i + count);
            TWidth.Store(v2, ref d, i + 2 * count);
            TWidth.Store(v3, ref d, i + 3 * count);
        }
        for (; i + count <= n; i += count)
            TWidth.Store(TWidth.Apply(f, TWidth.Load(ref x, i), TWidth.Load(ref y, i), TWidth.Load(ref z, i)), ref d, i);
        TWidth.Store(end, ref d, n - count);
        TWidth.Store(beg, ref d, 0);
    }
}
