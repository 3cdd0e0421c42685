using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// How one element-wise map reads its operator (of some arity: unary, binary, a loss) at an index, so that the
/// span walk (<see cref="Elementwise.Walk"/>) chooses the width, aligns the loop and covers the head, the tail and the
/// short span once for every arity. The walk passes two input references whatever the arity (a unary map passes x twice):
/// in registers, where a struct holding the references went through the stack, which cost a 1K-float map 10-25 %.
/// </summary>
internal interface IMapLanes<T, TOperator>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used; if not, the walk runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>The operator's <see cref="IUnaryOperator{T}.ComputeBound"/>: the first and last vectors are then computed out of line.</summary>
    static abstract bool ComputeBound { get; }

    /// <summary>
    /// Whether the operator also gives a term per element to be summed (a loss). The loop then starts at 0, never at an
    /// aligned store, so that the order of the sum depends on the length and the path only, never on the address; and
    /// the last vector is computed (and stored) whatever the length: that computation before the loop is where the JIT
    /// keeps a loss's broadcast parameters in registers for the loop (without it, Huber's loop broadcast three of them
    /// again every vector: 0.90-0.93x main).
    /// </summary>
    static abstract bool Sums { get; }

    /// <summary>
    /// The output vector at <paramref name="i"/> from the inputs as they are now (not stored), and the terms to sum
    /// (<see cref="Sums"/>; unspecified otherwise). Inputs past the operator's arity are not read.
    /// </summary>
    static abstract TVector Compute<TWidth, TVector>(in TOperator op, ref T x, ref T y, nuint i, out TVector terms)
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct;

    /// <summary>
    /// The <paramref name="n"/> elements of a span shorter than a Vector128, through one vector whose other lanes are 0:
    /// stores the output's n lanes at <paramref name="destination"/> and returns the terms (their first n lanes count).
    /// </summary>
    static abstract Vector128<T> Short(in TOperator op, ref T x, ref T y, ref T destination, nuint n);
}

internal static partial class Elementwise
{
    /// <summary>
    /// destination[i] = op(x[i], y[i]) through <typeparamref name="TLanes"/> over [0, <paramref name="n"/>): the
    /// widest accelerated vectors, below one vector of a width the next narrower one, below a Vector128 one zero-padded
    /// Vector128 (not the scalar <c>Invoke</c>, which may round differently: T.Exp against the vector polynomial, an
    /// unfused multiply-add; an element's bits must not depend on the span's length, or a row's result would depend on
    /// how many rows share the call, Predictor's promise), and the scalar operator where vectors are not accelerated or
    /// the operator is not vectorizable. Returns the sum of the terms in double (0 when the map sums nothing).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Walk<T, TOperator, TLanes>(ref T x, ref T y, ref T destination, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct
        where TLanes : IMapLanes<T, TOperator>
    {
        if (TLanes.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
                return Vectorized<T, TOperator, TLanes, Width512<T>, Vector512<T>>(ref x, ref y, ref destination, n, op);
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
                return Vectorized<T, TOperator, TLanes, Width256<T>, Vector256<T>>(ref x, ref y, ref destination, n, op);
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
                return Vectorized<T, TOperator, TLanes, Width128<T>, Vector128<T>>(ref x, ref y, ref destination, n, op);
            if (Width128<T>.IsAccelerated)
            {
                Vector128<T> terms = TLanes.Short(op, ref x, ref y, ref destination, n);
                double shortSum = 0;
                if (TLanes.Sums)
                {
                    for (int i = 0; i < (int)n; i++)
                        shortSum += double.CreateTruncating(terms.GetElement(i));
                }
                return shortSum;
            }
        }
        double sum = 0;
        for (nuint i = 0; i < n; i++)
        {
            Unsafe.Add(ref destination, i) = TLanes.Compute<ScalarWidth<T>, T>(op, ref x, ref y, i, out T term);
            if (TLanes.Sums)
                sum += double.CreateTruncating(term);
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Vectorized<T, TOperator, TLanes, TWidth, TVector>(ref T x, ref T y, ref T d, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct
        where TLanes : IMapLanes<T, TOperator>
        where TWidth : IDoubleSumWidth<T, TVector>
        where TVector : struct
    {
        nuint count = (nuint)TWidth.Count;
        // A copy: a stateless operator then costs nothing and a parameterized one keeps its fields in registers (through
        // the in-reference, the loop tested it for null and reloaded its fields on every vector).
        TOperator f = op;
        // The first vector (when the loop starts past it, to align its stores) and the last (when the loop stops short of
        // the end) are computed from the untouched inputs before the loop and stored after it, so the overlapping stores
        // that replace a scalar head and tail never feed an output back in (exact in-place calls stay correct). An
        // aligned span of whole vectors needs neither. The last vector's terms that the loop also covers are masked out
        // of the sum.
        // A compute-bound operator computes them out of line, so that the loop holds its one inlined copy: an exp-based
        // operator is a few dozen instructions, and more copies exhaust the JIT's inlining budget, which then leaves the
        // width's one-line helpers (Add, Multiply, Exp) as calls with operands through memory (tanh ran 3x slower that
        // way). A memory-bound one is a few instructions, inlined: two calls cost a short span more than its loop.
        // The loop is not unrolled: four vectors an iteration read 0.87-0.97x of one at 16K floats (ReLU, scale; L2)
        // and 0.94-1.19x at 1K, side by side (benchmarks/RESULTS.md, "One element-wise driver").
        nuint i = !TLanes.Sums && n >= 8 * count ? ElementsToAlignment(ref d, count) : 0;
        bool head = i != 0, tail = TLanes.Sums || ((n - i) & (count - 1)) != 0;
        TVector beg = default, end = default, endTerms = default;
        if (TLanes.ComputeBound)
        {
            if (head)
                beg = ComputeOutOfLine<T, TOperator, TLanes, TWidth, TVector>(ref x, ref y, 0, f, out _);
            if (tail)
                end = ComputeOutOfLine<T, TOperator, TLanes, TWidth, TVector>(ref x, ref y, n - count, f, out endTerms);
        }
        else
        {
            if (head)
                beg = TLanes.Compute<TWidth, TVector>(f, ref x, ref y, 0, out _);
            if (tail)
                end = TLanes.Compute<TWidth, TVector>(f, ref x, ref y, n - count, out endTerms);
        }
        TVector low = TWidth.Broadcast(T.Zero), high = low;
        for (; i + count <= n; i += count)
        {
            TWidth.Store(TLanes.Compute<TWidth, TVector>(f, ref x, ref y, i, out TVector terms), ref d, i);
            if (TLanes.Sums)
                TWidth.AddAsDouble(terms, ref low, ref high);
        }
        if (tail)
        {
            TWidth.Store(end, ref d, n - count);
            if (TLanes.Sums && n != i)
                TWidth.AddAsDouble(TWidth.KeepLast(endTerms, (int)(n - i), T.Zero), ref low, ref high);
        }
        if (head)
            TWidth.Store(beg, ref d, 0);
        return TLanes.Sums ? TWidth.SumAsDouble(low, high) : 0;
    }

    /// <summary>The vector at <paramref name="i"/> as a call: used twice per span, it keeps the operator out of the loop's inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TVector ComputeOutOfLine<T, TOperator, TLanes, TWidth, TVector>(ref T x, ref T y, nuint i, in TOperator op, out TVector terms)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct
        where TLanes : IMapLanes<T, TOperator>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct =>
        TLanes.Compute<TWidth, TVector>(op, ref x, ref y, i, out terms);

    /// <summary>The first <paramref name="n"/> elements at <paramref name="x"/> (fewer than a Vector128 holds) in a vector whose other lanes are 0.</summary>
    internal static Vector128<T> LoadShort<T>(ref T x, nuint n) where T : unmanaged
    {
        Vector128<T> v = Vector128<T>.Zero;
        ref T lanes = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref lanes, i) = Unsafe.Add(ref x, i);
        return v;
    }

    /// <summary>The first <paramref name="n"/> lanes of <paramref name="v"/> (fewer than it holds) to <paramref name="d"/>.</summary>
    internal static void StoreShort<T>(Vector128<T> v, ref T d, nuint n) where T : unmanaged
    {
        ref T lanes = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref d, i) = Unsafe.Add(ref lanes, i);
    }

    /// <summary>
    /// Elements to skip so that stores from <paramref name="d"/> on are vector-aligned (unaligned stores cost more
    /// than unaligned loads); the skipped head is covered by the first vector. Only a hint: never affects results.
    /// </summary>
    /// <param name="d">The first element to store.</param>
    /// <param name="count">Elements per vector: a power of two, so the remainders are masks (inlined, a division by the
    /// vector's bytes cost three divisions a call).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe nuint ElementsToAlignment<T>(ref T d, nuint count) where T : unmanaged
    {
        nuint bytes = count * (nuint)sizeof(T);
        nuint address = (nuint)Unsafe.AsPointer(ref d);
        if (address % (nuint)sizeof(T) != 0)
            return 0;
        return ((bytes - (address & (bytes - 1))) & (bytes - 1)) / (nuint)sizeof(T);
    }
}
