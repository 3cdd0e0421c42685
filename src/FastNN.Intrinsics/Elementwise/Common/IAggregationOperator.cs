using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>An associative combination (sum, max) with its identity and its horizontal reduction of one vector.</summary>
internal interface IAggregationOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The value that leaves any other unchanged; masked lanes hold it.</summary>
    static abstract T Identity { get; }

    static abstract T Reduce(Vector128<T> x);
    static abstract T Reduce(Vector256<T> x);
    static abstract T Reduce(Vector512<T> x);
}

internal static partial class Elementwise
{
    /// <summary>
    /// The aggregate of transform(x[i]) over all i, in a fixed order that depends only on the length and the
    /// path: never on the address (no alignment) or on the caller's thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Aggregate<T, TTransform, TAggregate>(ReadOnlySpan<T> x, in TTransform transform)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTransform : struct, IUnaryOperator<T>
        where TAggregate : struct, IAggregationOperator<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        if (TTransform.Vectorizable && TAggregate.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
                return Vectorized<T, TTransform, TAggregate, Width512<T>, Vector512<T>>(ref xs, n, transform);
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
                return Vectorized<T, TTransform, TAggregate, Width256<T>, Vector256<T>>(ref xs, n, transform);
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
                return Vectorized<T, TTransform, TAggregate, Width128<T>, Vector128<T>>(ref xs, n, transform);
        }
        // The scalar path runs the same driver one lane wide: four accumulators, as each vector path's four vectors, so
        // that a few large terms do not round away the many small ones summed after them in one accumulator.
        return Vectorized<T, TTransform, TAggregate, ScalarWidth<T>, T>(ref xs, n, transform);
    }

    /// <summary>
    /// Elements aggregated into fresh accumulators before joining the running total: a long sum then carries the
    /// rounding of Block/lanes additions per lane plus n/Block for the total, instead of n/lanes (float, ten million
    /// times 0.1f on the scalar path: 8.8 % off with one accumulator). A multiple of every path's four vectors.
    /// </summary>
    private const nuint Block = 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Vectorized<T, TTransform, TAggregate, TWidth, TVector>(ref T x, nuint n, in TTransform transform)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTransform : struct, IUnaryOperator<T>
        where TAggregate : struct, IAggregationOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        TAggregate aggregate = default;
        TVector total = TWidth.Broadcast(TAggregate.Identity);
        nuint i = 0;
        for (; i + Block < n; i += Block)
            total = TWidth.Apply(aggregate, total, Part<T, TTransform, TAggregate, TWidth, TVector>(ref x, i, i + Block, transform));
        // The last block, whole or not, ends in a partial vector masked to the identity instead of counted twice.
        total = TWidth.Apply(aggregate, total, Part<T, TTransform, TAggregate, TWidth, TVector>(ref x, i, n, transform));
        return TWidth.Reduce<TAggregate>(total);
    }

    /// <summary>
    /// The aggregate of transform(x[i]) for i in [start, n), in fresh accumulators, as one vector. Fewer than a vector's
    /// elements from start are read as the last vector of x masked to them (x holds at least one vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Part<T, TTransform, TAggregate, TWidth, TVector>(ref T x, nuint start, nuint n, in TTransform transform)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTransform : struct, IUnaryOperator<T>
        where TAggregate : struct, IAggregationOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        TAggregate aggregate = default;
        nuint count = (nuint)TWidth.Count;
        // Four independent accumulators hide the add latency; they are combined in a fixed order at the end.
        TVector a0 = TWidth.Broadcast(TAggregate.Identity), a1 = a0, a2 = a0, a3 = a0;
        nuint i = start;
        for (; i + 4 * count <= n; i += 4 * count)
        {
            a0 = TWidth.Apply(aggregate, a0, TWidth.Apply(transform, TWidth.Load(ref x, i)));
            a1 = TWidth.Apply(aggregate, a1, TWidth.Apply(transform, TWidth.Load(ref x, i + count)));
            a2 = TWidth.Apply(aggregate, a2, TWidth.Apply(transform, TWidth.Load(ref x, i + 2 * count)));
            a3 = TWidth.Apply(aggregate, a3, TWidth.Apply(transform, TWidth.Load(ref x, i + 3 * count)));
        }
        for (; i + count <= n; i += count)
            a0 = TWidth.Apply(aggregate, a0, TWidth.Apply(transform, TWidth.Load(ref x, i)));
        // The last vector overlaps elements already counted: mask those to the identity instead of counting them twice.
        int trailing = (int)(n - i);
        if (trailing != 0)
            a1 = TWidth.Apply(aggregate, a1, TWidth.KeepLast(TWidth.Apply(transform, TWidth.Load(ref x, n - count)), trailing, TAggregate.Identity));
        return TWidth.Apply(aggregate, TWidth.Apply(aggregate, a0, a1), TWidth.Apply(aggregate, a2, a3));
    }
}
