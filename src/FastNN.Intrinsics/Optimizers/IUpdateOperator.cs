using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// One fused optimizer update of a parameter θ from its gradient g and up to three state values, in place.
/// The hyper-parameters are the operator's fields, fixed for one call of <see cref="UpdateDriver"/>.
/// </summary>
/// <remarks>
/// The update is written once over <see cref="IVectorWidth{T, TVector}"/> and serves every width, the scalar one
/// (<see cref="ScalarWidth{T}"/>) included. It must use only operations that round the same on every width (add,
/// subtract, multiply, divide, square root, maximum; no fused multiply-add), so every instruction-set path gives the same bits.
/// </remarks>
internal interface IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many of the state buffers s0, s1, s2 the update reads and writes (0 to 3); the others are never touched.</summary>
    int StateCount { get; }

    void Invoke<TWidth, TVector>(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct;
}

/// <summary>The one loop behind every fused optimizer update: parameters, gradients and state walked once, in place.</summary>
internal static class UpdateDriver
{
    /// <summary>
    /// Applies <paramref name="op"/> to every element, widest vectors first. Each narrower loop takes what the wider
    /// one left (at most one vector), then scalars finish: unlike TensorPrimitives' overlapping last vector, an
    /// in-place update must never run twice on the same element.
    /// </summary>
    /// <remarks>Callers have validated that every used span has the parameters' length and that none overlap.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
    {
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        // Unused state buffers are empty; the loops read them only when the operator says it uses them.
        ref T a = ref MemoryMarshal.GetReference(s0);
        ref T b = ref MemoryMarshal.GetReference(s1);
        ref T c = ref MemoryMarshal.GetReference(s2);
        nuint n = (nuint)parameters.Length, i = 0;
        if (Width512<T>.IsAccelerated)
            i = Loop<T, TOp, Width512<T>, Vector512<T>>(op, ref p, ref g, ref a, ref b, ref c, i, n);
        if (Width256<T>.IsAccelerated)
            i = Loop<T, TOp, Width256<T>, Vector256<T>>(op, ref p, ref g, ref a, ref b, ref c, i, n);
        if (Width128<T>.IsAccelerated)
            i = Loop<T, TOp, Width128<T>, Vector128<T>>(op, ref p, ref g, ref a, ref b, ref c, i, n);
        Loop<T, TOp, ScalarWidth<T>, T>(op, ref p, ref g, ref a, ref b, ref c, i, n);
    }

    /// <summary>The scalar reference: the same operator, one element at a time, on every path. Tests compare the vector paths with it.</summary>
    public static void RunScalar<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T> =>
        Loop<T, TOp, ScalarWidth<T>, T>(op, ref MemoryMarshal.GetReference(parameters), ref MemoryMarshal.GetReference(gradients),
            ref MemoryMarshal.GetReference(s0), ref MemoryMarshal.GetReference(s1), ref MemoryMarshal.GetReference(s2), 0, (nuint)parameters.Length);

    /// <summary>Updates whole vectors of <typeparamref name="TWidth"/> from element <paramref name="i"/> on; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Loop<T, TOp, TWidth, TVector>(in TOp op, ref T p, ref T g, ref T a, ref T b, ref T c, nuint i, nuint n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        int states = op.StateCount;
        nuint width = (nuint)TWidth.Count;
        for (; i + width <= n; i += width)
        {
            TVector vp = TWidth.Load(ref p, i);
            TVector va = states > 0 ? TWidth.Load(ref a, i) : default;
            TVector vb = states > 1 ? TWidth.Load(ref b, i) : default;
            TVector vc = states > 2 ? TWidth.Load(ref c, i) : default;
            op.Invoke<TWidth, TVector>(ref vp, TWidth.Load(ref g, i), ref va, ref vb, ref vc);
            TWidth.Store(vp, ref p, i);
            if (states > 0) TWidth.Store(va, ref a, i);
            if (states > 1) TWidth.Store(vb, ref b, i);
            if (states > 2) TWidth.Store(vc, ref c, i);
        }
        return i;
    }
}
