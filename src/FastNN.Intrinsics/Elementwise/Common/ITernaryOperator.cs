using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>w = f(x, y, z) element-wise (PReLU's per-feature derivative; accumulations such as s += g(x, dy)).</summary>
internal interface ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the span walk runs the scalar one.</summary>
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
        where TOperator : struct, ITernaryOperator<T> =>
        Walk<T, TOperator, TernaryLanes<T, TOperator>>(
            ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(z),
            ref MemoryMarshal.GetReference(destination), (nuint)x.Length, op);
}

/// <summary>The ternary map read by the span walk: destination = op(x, y, z).</summary>
internal readonly struct TernaryLanes<T, TOperator> : IMapLanes<T, TOperator>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, ITernaryOperator<T>
{
    public static bool Vectorizable => TOperator.Vectorizable;
    public static bool ComputeBound => false;
    public static bool Sums => false;
    public static bool EagerEnd => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<TWidth, TVector>(in TOperator op, ref T x, ref T y, ref T z, nuint i, out TVector terms)
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        terms = default;
        return TWidth.Apply(op, TWidth.Load(ref x, i), TWidth.Load(ref y, i), TWidth.Load(ref z, i));
    }

    public static Vector128<T> Short(in TOperator op, ref T x, ref T y, ref T z, ref T destination, nuint n)
    {
        Elementwise.StoreShort(
            op.Invoke(Elementwise.LoadShort(ref x, n), Elementwise.LoadShort(ref y, n), Elementwise.LoadShort(ref z, n)), ref destination, n);
        return default;
    }
}
