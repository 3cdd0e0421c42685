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
    /// Whether the operator costs more than moving its elements (exp, log, polynomials): large spans are then split across
    /// threads, and the driver computes its first and last vectors out of line. Memory-bound operators (ReLU's derivative,
    /// sums, products; the default) run on the calling thread, inlined throughout (see the unary driver).
    /// </summary>
    static virtual bool ComputeBound => false;

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
        int parts = TOperator.ComputeBound ? ParallelMap.Parts(x.Length) : 1;
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
        // The operator copied, the first and last vectors (only where the loop leaves them) from the untouched inputs
        // stored last, those of a compute-bound operator out of line: as in the unary driver.
        TOperator f = op;
        nuint i = n >= 8 * count ? ElementsToAlignment(ref d, count) : 0;
        bool head = i != 0, tail = ((n - i) & (count - 1)) != 0;
        TVector beg = default, end = default;
        if (TOperator.ComputeBound)
        {
            if (head)
                beg = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, ref y, 0, f);
            if (tail)
                end = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, ref y, n - count, f);
        }
        else
        {
            if (head)
                beg = TWidth.Apply(f, TWidth.Load(ref x, 0), TWidth.Load(ref y, 0));
            if (tail)
                end = TWidth.Apply(f, TWidth.Load(ref x, n - count), TWidth.Load(ref y, n - count));
        }
        for (; i + count <= n; i += count)
            TWidth.Store(TWidth.Apply(f, TWidth.Load(ref x, i), TWidth.Load(ref y, i)), ref d, i);
        if (tail)
            TWidth.Store(end, ref d, n - count);
        if (head)
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
