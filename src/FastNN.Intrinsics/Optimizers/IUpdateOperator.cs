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
/// Each width must compute exactly what the scalar <c>Invoke</c> computes, element by element, with the same
/// operations in the same order and no fused multiply-add, so every instruction-set path gives the same bits.
/// </remarks>
internal interface IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many of the state buffers s0, s1, s2 the update reads and writes (0 to 3); the others are never touched.</summary>
    int StateCount { get; }

    void Invoke(ref T p, T g, ref T s0, ref T s1, ref T s2);
    void Invoke(ref Vector128<T> p, Vector128<T> g, ref Vector128<T> s0, ref Vector128<T> s1, ref Vector128<T> s2);
    void Invoke(ref Vector256<T> p, Vector256<T> g, ref Vector256<T> s0, ref Vector256<T> s1, ref Vector256<T> s2);
    void Invoke(ref Vector512<T> p, Vector512<T> g, ref Vector512<T> s0, ref Vector512<T> s1, ref Vector512<T> s2);
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
        int length = parameters.Length;
        int states = op.StateCount;
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        // Unused state buffers are empty; the loops below read them only when the operator says it uses them.
        ref T a = ref MemoryMarshal.GetReference(s0);
        ref T b = ref MemoryMarshal.GetReference(s1);
        ref T c = ref MemoryMarshal.GetReference(s2);
        nuint n = (nuint)length, i = 0;

        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            nuint width = (nuint)Vector512<T>.Count;
            for (; i + width <= n; i += width)
            {
                Vector512<T> vp = Vector512.LoadUnsafe(ref p, i);
                Vector512<T> va = states > 0 ? Vector512.LoadUnsafe(ref a, i) : default;
                Vector512<T> vb = states > 1 ? Vector512.LoadUnsafe(ref b, i) : default;
                Vector512<T> vc = states > 2 ? Vector512.LoadUnsafe(ref c, i) : default;
                op.Invoke(ref vp, Vector512.LoadUnsafe(ref g, i), ref va, ref vb, ref vc);
                vp.StoreUnsafe(ref p, i);
                if (states > 0) va.StoreUnsafe(ref a, i);
                if (states > 1) vb.StoreUnsafe(ref b, i);
                if (states > 2) vc.StoreUnsafe(ref c, i);
            }
        }

        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            nuint width = (nuint)Vector256<T>.Count;
            for (; i + width <= n; i += width)
            {
                Vector256<T> vp = Vector256.LoadUnsafe(ref p, i);
                Vector256<T> va = states > 0 ? Vector256.LoadUnsafe(ref a, i) : default;
                Vector256<T> vb = states > 1 ? Vector256.LoadUnsafe(ref b, i) : default;
                Vector256<T> vc = states > 2 ? Vector256.LoadUnsafe(ref c, i) : default;
                op.Invoke(ref vp, Vector256.LoadUnsafe(ref g, i), ref va, ref vb, ref vc);
                vp.StoreUnsafe(ref p, i);
                if (states > 0) va.StoreUnsafe(ref a, i);
                if (states > 1) vb.StoreUnsafe(ref b, i);
                if (states > 2) vc.StoreUnsafe(ref c, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            nuint width = (nuint)Vector128<T>.Count;
            for (; i + width <= n; i += width)
            {
                Vector128<T> vp = Vector128.LoadUnsafe(ref p, i);
                Vector128<T> va = states > 0 ? Vector128.LoadUnsafe(ref a, i) : default;
                Vector128<T> vb = states > 1 ? Vector128.LoadUnsafe(ref b, i) : default;
                Vector128<T> vc = states > 2 ? Vector128.LoadUnsafe(ref c, i) : default;
                op.Invoke(ref vp, Vector128.LoadUnsafe(ref g, i), ref va, ref vb, ref vc);
                vp.StoreUnsafe(ref p, i);
                if (states > 0) va.StoreUnsafe(ref a, i);
                if (states > 1) vb.StoreUnsafe(ref b, i);
                if (states > 2) vc.StoreUnsafe(ref c, i);
            }
        }

        T unused = default;
        for (; i < n; i++)
        {
            op.Invoke(ref Unsafe.Add(ref p, i), Unsafe.Add(ref g, i),
                ref states > 0 ? ref Unsafe.Add(ref a, i) : ref unused,
                ref states > 1 ? ref Unsafe.Add(ref b, i) : ref unused,
                ref states > 2 ? ref Unsafe.Add(ref c, i) : ref unused);
        }
    }

    /// <summary>The scalar reference: the same operator, one element at a time, on every path. Tests compare the vector paths with it.</summary>
    public static void RunScalar<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
    {
        T unused = default;
        int states = op.StateCount;
        for (int i = 0; i < parameters.Length; i++)
        {
            op.Invoke(ref parameters[i], gradients[i],
                ref states > 0 ? ref s0[i] : ref unused,
                ref states > 1 ? ref s1[i] : ref unused,
                ref states > 2 ? ref s2[i] : ref unused);
        }
    }
}
