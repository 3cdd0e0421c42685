using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>y = f(x) element-wise, written once per width (TensorPrimitives' operator-struct pattern).</summary>
/// <remarks>
/// Operators are structs: stateless ones are empty and parameterized ones (a slope, a row maximum) carry
/// their parameters as fields, so one driver serves both; the JIT specializes it per struct.
/// </remarks>
internal interface IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the span walk runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>
    /// Whether the operator costs more than moving its elements (exp, log, polynomials): large spans are then split across
    /// threads, and the span walk computes its first and last vectors out of line. Memory-bound operators (ReLU, products; the
    /// default) lose more to waking workers than they gain, and are cheaper inlined than called.
    /// </summary>
    static virtual bool ComputeBound => false;

    T Invoke(T x);
    Vector128<T> Invoke(Vector128<T> x);
    Vector256<T> Invoke(Vector256<T> x);
    Vector512<T> Invoke(Vector512<T> x);
}

internal static partial class Elementwise
{
    /// <summary>
    /// destination[i] = op(x[i]). Lengths are equal and the spans are identical or disjoint (checked by the caller).
    /// Large spans are split across threads (<see cref="ParallelMap"/>), with the same results.
    /// </summary>
    public static void Map<T, TOperator>(ReadOnlySpan<T> x, Span<T> destination, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        int parts = TOperator.ComputeBound ? ParallelMap.Parts(x.Length) : 1;
        if (parts > 1)
            MapWork<T, UnaryChunkMap<T, TOperator>>.Run(x, default, destination, new UnaryChunkMap<T, TOperator>(op), parts);
        else
            MapOnThisThread(x, destination, op);
    }

    /// <summary>destination[i] = op(x[i]) on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MapOnThisThread<T, TOperator>(ReadOnlySpan<T> x, Span<T> destination, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        Walk<T, TOperator, UnaryLanes<T, TOperator>>(ref xs, ref xs, ref MemoryMarshal.GetReference(destination), (nuint)x.Length, op);
    }
}

/// <summary>The unary map read by the span walk: destination = op(x) (y unread).</summary>
internal readonly struct UnaryLanes<T, TOperator> : IMapLanes<T, TOperator>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IUnaryOperator<T>
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
        return TWidth.Apply(op, TWidth.Load(ref x, i));
    }

    public static Vector128<T> Short(in TOperator op, ref T x, ref T y, ref T destination, nuint n)
    {
        Elementwise.StoreShort(op.Invoke(Elementwise.LoadShort(ref x, n)), ref destination, n);
        return default;
    }
}
