using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>z = f(x, y) element-wise (fused derivatives: dx = dy·f'(x); a row plus a bias row).</summary>
internal interface IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the span walk runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>
    /// Whether the operator costs more than moving its elements (exp, log, polynomials): large spans are then split across
    /// threads, and the span walk computes its first and last vectors out of line. Memory-bound operators (ReLU's derivative,
    /// sums, products; the default) run on the calling thread, inlined throughout (see <see cref="Elementwise.Walk"/>).
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
        Walk<T, TOperator, BinaryLanes<T, TOperator>>(
            ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(destination), (nuint)x.Length, op);
    }
}

/// <summary>The binary map read by the span walk: destination = op(x, y).</summary>
internal readonly struct BinaryLanes<T, TOperator> : IMapLanes<T, TOperator>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IBinaryOperator<T>
{
    public static bool Vectorizable => TOperator.Vectorizable;
    public static bool ComputeBound => TOperator.ComputeBound;
    public static bool Sums => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<TWidth, TVector>(in TOperator op, ref T x, ref T y, nuint i, out TVector terms)
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        terms = default;
        return TWidth.Apply(op, TWidth.Load(ref x, i), TWidth.Load(ref y, i));
    }

    public static Vector128<T> Short(in TOperator op, ref T x, ref T y, ref T destination, nuint n)
    {
        Elementwise.StoreShort(op.Invoke(Elementwise.LoadShort(ref x, n), Elementwise.LoadShort(ref y, n)), ref destination, n);
        return default;
    }
}
