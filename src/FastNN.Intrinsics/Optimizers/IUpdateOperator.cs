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
/// <para>The update itself is an <see cref="IUpdateLanes{TVector}"/>: the operator's constants broadcast once to the
/// lanes of one width, then applied to every vector of that width by <c>UpdateDriver.Loop</c>. The JIT does not
/// hoist a broadcast out of a loop that keeps this many vectors live, so broadcasting in the loop body cost a shuffle per
/// constant and vector (AdamW's pass ran 1.15-1.2x slower that way, side by side).</para>
/// <para>It is written once over <see cref="IVectorWidth{T, TVector}"/> and serves every width, the scalar one
/// (<see cref="ScalarWidth{T}"/>) included. It must use only operations that round the same on every width (add,
/// subtract, multiply, divide, square root, maximum, selections; no fused multiply-add), so every instruction-set path
/// gives the same bits.</para>
/// </remarks>
internal interface IUpdateOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many of the state buffers s0, s1, s2 the update reads and writes (0 to 3); the others are never touched.</summary>
    int StateCount { get; }

    /// <summary>Updates whole vectors of <typeparamref name="TWidth"/> from element <paramref name="i"/> on; returns where it stopped.</summary>
    /// <remarks>Each operator passes <c>UpdateDriver.Loop</c> its constants broadcast for <typeparamref name="TWidth"/>.</remarks>
    nuint Update<TWidth, TVector>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nuint i, nuint n)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct;
}

/// <summary>An update at one vector width, its constants already broadcast to the lanes of <typeparamref name="TVector"/>.</summary>
internal interface IUpdateLanes<TVector> where TVector : struct
{
    void Invoke(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2);
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
            i = op.Update<Width512<T>, Vector512<T>>(ref p, ref g, ref a, ref b, ref c, i, n);
        if (Width256<T>.IsAccelerated)
            i = op.Update<Width256<T>, Vector256<T>>(ref p, ref g, ref a, ref b, ref c, i, n);
        if (Width128<T>.IsAccelerated)
            i = op.Update<Width128<T>, Vector128<T>>(ref p, ref g, ref a, ref b, ref c, i, n);
        op.Update<ScalarWidth<T>, T>(ref p, ref g, ref a, ref b, ref c, i, n);
    }

    /// <summary>The scalar reference: the same operator, one element at a time, on every path. Tests compare the vector paths with it.</summary>
    public static void RunScalar<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T> =>
        op.Update<ScalarWidth<T>, T>(ref MemoryMarshal.GetReference(parameters), ref MemoryMarshal.GetReference(gradients),
            ref MemoryMarshal.GetReference(s0), ref MemoryMarshal.GetReference(s1), ref MemoryMarshal.GetReference(s2), 0, (nuint)parameters.Length);

    /// <summary>Applies <paramref name="lanes"/> to whole vectors of <typeparamref name="TWidth"/> from element <paramref name="i"/> on; returns where it stopped.</summary>
    /// <param name="lanes">The update with its constants broadcast.</param>
    /// <param name="states">How many of the state buffers the update uses: the loop is compiled for each count, so that
    /// no iteration tests it (the tests and branches around the loads and stores cost AdamW's pass 5-10 %).</param>
    /// <param name="p">θ, updated in place.</param>
    /// <param name="g">The gradients.</param>
    /// <param name="a">The first state buffer (read and written when <paramref name="states"/> &gt; 0).</param>
    /// <param name="b">The second state buffer (when <paramref name="states"/> &gt; 1).</param>
    /// <param name="c">The third state buffer (when <paramref name="states"/> &gt; 2).</param>
    /// <param name="i">The first element to update.</param>
    /// <param name="n">The number of elements.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Loop<T, TLanes, TWidth, TVector>(in TLanes lanes, int states, ref T p, ref T g, ref T a, ref T b, ref T c, nuint i, nuint n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, IUpdateLanes<TVector>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct => states switch
        {
            0 => Loop<T, TLanes, TWidth, TVector, NoState>(lanes, ref p, ref g, ref a, ref b, ref c, i, n),
            1 => Loop<T, TLanes, TWidth, TVector, OneState>(lanes, ref p, ref g, ref a, ref b, ref c, i, n),
            2 => Loop<T, TLanes, TWidth, TVector, TwoStates>(lanes, ref p, ref g, ref a, ref b, ref c, i, n),
            _ => Loop<T, TLanes, TWidth, TVector, ThreeStates>(lanes, ref p, ref g, ref a, ref b, ref c, i, n),
        };

    /// <summary>The loop for <typeparamref name="TStates"/> state buffers.</summary>
    /// <remarks><paramref name="lanes"/> is copied into a local: the stores through <paramref name="p"/> and the state
    /// cannot alias a local, so its fields stay in registers across iterations. Compiled fully optimized from the first
    /// call: an operator's <see cref="IUpdateOperator{T}.Update"/> may not be inlined into <see cref="Run"/>, and a loop
    /// left at tier 0 ran ten times slower.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint Loop<T, TLanes, TWidth, TVector, TStates>(TLanes lanes, ref T p, ref T g, ref T a, ref T b, ref T c, nuint i, nuint n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, IUpdateLanes<TVector>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
        where TStates : struct, IConstant
    {
        nuint width = (nuint)TWidth.Count;
        for (; i + width <= n; i += width)
        {
            TVector vp = TWidth.Load(ref p, i);
            TVector va = TStates.Value > 0 ? TWidth.Load(ref a, i) : default;
            TVector vb = TStates.Value > 1 ? TWidth.Load(ref b, i) : default;
            TVector vc = TStates.Value > 2 ? TWidth.Load(ref c, i) : default;
            lanes.Invoke(ref vp, TWidth.Load(ref g, i), ref va, ref vb, ref vc);
            TWidth.Store(vp, ref p, i);
            if (TStates.Value > 0) TWidth.Store(va, ref a, i);
            if (TStates.Value > 1) TWidth.Store(vb, ref b, i);
            if (TStates.Value > 2) TWidth.Store(vc, ref c, i);
        }
        return i;
    }

    private readonly struct NoState : IConstant { public static int Value => 0; }

    private readonly struct OneState : IConstant { public static int Value => 1; }

    private readonly struct TwoStates : IConstant { public static int Value => 2; }

    private readonly struct ThreeStates : IConstant { public static int Value => 3; }
}
