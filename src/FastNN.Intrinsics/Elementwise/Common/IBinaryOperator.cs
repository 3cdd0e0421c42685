using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>z = f(x, y) element-wise (fused derivatives: dx = dy·f'(x); a row plus a bias row).</summary>
internal interface IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the driver runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>
    /// Whether large spans are worth splitting across threads: true for compute-bound operators (exp, log,
    /// polynomials); memory-bound ones (ReLU, products) lose more to waking workers than they gain.
    /// </summary>
    static virtual bool SplitAcrossThreads => false;

    T Invoke(T x, T y);
    Vector128<T> Invoke(Vector128<T> x, Vector128<T> y);
    Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);
    Vector512<T> Invoke(Vector512<T> x, Vector512<T> y);
}

internal static partial class Elementwise
{
    /// <summary>
    /// destination[i] = op(x[i], y[i]). Lengths are equal; destination is identical to or disjoint from each input
    /// (checked by the caller). Large spans are split across threads (<see cref="ParallelMap"/>), with the same results.
    /// </summary>
    public static void Map<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
    {
        int parts = TOperator.SplitAcrossThreads ? ParallelMap.Parts(x.Length) : 1;
        if (parts > 1)
            MapWork<T, BinaryChunkMap<T, TOperator>>.Run(x, y, destination, new BinaryChunkMap<T, TOperator>(op), parts);
        else
            MapOnThisThread(x, y, destination, op);
    }

    /// <summary>destination[i] = op(x[i], y[i]) on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MapOnThisThread<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref T ds = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        if (TOperator.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
            {
                Vectorized<T, TOperator, Width512<T>, Vector512<T>>(ref xs, ref ys, ref ds, n, op);
                return;
            }
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
            {
                Vectorized<T, TOperator, Width256<T>, Vector256<T>>(ref xs, ref ys, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
            {
                Vectorized<T, TOperator, Width128<T>, Vector128<T>>(ref xs, ref ys, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated)
            {
                // Shorter than every vector: one zero-padded vector (see the unary driver).
                StoreShort(op.Invoke(LoadShort(ref xs, n), LoadShort(ref ys, n)), ref ds, n);
                return;
            }
        }
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref ds, i) = op.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectorized<T, TOperator, TWidth, TVector>(ref T x, ref T y, ref T d, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        nuint count = (nuint)TWidth.Count;
        // First and last vectors from the untouched inputs, stored last; one inlined copy of the operator in the
        // loop, as in the unary driver (more copies exhaust the JIT's inlining budget).
        TVector beg = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, ref y, 0, op);
        TVector end = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, ref y, n - count, op);
        for (nuint i = n >= 8 * count ? ElementsToAlignment(ref d, count) : 0; i + count <= n; i += count)
            TWidth.Store(TWidth.Apply(op, TWidth.Load(ref x, i), TWidth.Load(ref y, i)), ref d, i);
        TWidth.Store(end, ref d, n - count);
        TWidth.Store(beg, ref d, 0);
    }

    /// <summary>op(x[i..i + Count], y[i..i + Count]) as a call, outside the loop's inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TVector ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref T x, ref T y, nuint i, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct =>
        TWidth.Apply(op, TWidth.Load(ref x, i), TWidth.Load(ref y, i));
}
