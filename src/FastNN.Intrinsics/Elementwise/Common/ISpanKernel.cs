using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// A kernel over the elements [start, end) of its spans, one <typeparamref name="T"/> vector of TWidth at a time
/// (end − start a multiple of TWidth.Count), for passes that read several inputs, read-modify-write several outputs or
/// keep several sums: what no one-output operator driver holds. It keeps in its own fields what must outlive one call
/// (sums reduced to <typeparamref name="T"/>), since <see cref="Elementwise.Sweep"/> calls it once per width.
/// </summary>
internal interface ISpanKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void Run<TWidth, TVector>(nuint start, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct;
}

internal static partial class Elementwise
{
    /// <summary>
    /// Runs <paramref name="kernel"/> over [0, <paramref name="length"/>) in the widest accelerated vectors, then in each
    /// narrower width, then one element at a time (<see cref="ScalarWidth{T}"/>): every element exactly once, never again
    /// by an overlapping last vector, so the kernel may accumulate into its outputs and sum without masks. The order of
    /// the parts depends only on the length and the path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sweep<T, TKernel>(ref TKernel kernel, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, ISpanKernel<T>, allows ref struct
    {
        nuint n = (nuint)length, i = 0;
        if (Width512<T>.IsAccelerated)
            i = SweepPart<T, TKernel, Width512<T>, Vector512<T>>(ref kernel, i, n);
        if (Width256<T>.IsAccelerated)
            i = SweepPart<T, TKernel, Width256<T>, Vector256<T>>(ref kernel, i, n);
        if (Width128<T>.IsAccelerated)
            i = SweepPart<T, TKernel, Width128<T>, Vector128<T>>(ref kernel, i, n);
        if (i < n)
            kernel.Run<ScalarWidth<T>, T>(i, n);
    }

    /// <summary>Runs the kernel over the whole vectors of TWidth from start on; returns where they end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint SweepPart<T, TKernel, TWidth, TVector>(ref TKernel kernel, nuint start, nuint n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, ISpanKernel<T>, allows ref struct
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        nuint end = n - (n - start) % (nuint)TWidth.Count;
        if (end > start)
            kernel.Run<TWidth, TVector>(start, end);
        return end;
    }
}
