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
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the driver runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>
    /// Whether the operator costs more than moving its elements (exp, log, polynomials): large spans are then split across
    /// threads, and the driver computes its first and last vectors out of line. Memory-bound operators (ReLU, products; the
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
        ref T ds = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        // Widest accelerated width first; below one vector of it, the next narrower one (TP's small-length rule).
        if (TOperator.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
            {
                Vectorized<T, TOperator, Width512<T>, Vector512<T>>(ref xs, ref ds, n, op);
                return;
            }
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
            {
                Vectorized<T, TOperator, Width256<T>, Vector256<T>>(ref xs, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
            {
                Vectorized<T, TOperator, Width128<T>, Vector128<T>>(ref xs, ref ds, n, op);
                return;
            }
            if (Width128<T>.IsAccelerated)
            {
                // Shorter than every vector: one zero-padded vector, not the scalar Invoke, which may round differently
                // (T.Exp against the vector polynomial, an unfused multiply-add): an element's bits must not depend on the
                // span's length, or a row's result would depend on how many rows share the call (Predictor's promise).
                StoreShort(op.Invoke(LoadShort(ref xs, n)), ref ds, n);
                return;
            }
        }
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref ds, i) = op.Invoke(Unsafe.Add(ref xs, i));
    }

    /// <summary>The first <paramref name="n"/> elements at <paramref name="x"/> (fewer than a Vector128 holds) in a vector whose other lanes are 0.</summary>
    private static Vector128<T> LoadShort<T>(ref T x, nuint n) where T : unmanaged
    {
        Vector128<T> v = Vector128<T>.Zero;
        ref T lanes = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref lanes, i) = Unsafe.Add(ref x, i);
        return v;
    }

    /// <summary>The first <paramref name="n"/> lanes of <paramref name="v"/> (fewer than it holds) to <paramref name="d"/>.</summary>
    private static void StoreShort<T>(Vector128<T> v, ref T d, nuint n) where T : unmanaged
    {
        ref T lanes = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref d, i) = Unsafe.Add(ref lanes, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectorized<T, TOperator, TWidth, TVector>(ref T x, ref T d, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        nuint count = (nuint)TWidth.Count;
        // A copy: a stateless operator then costs nothing and a parameterized one keeps its fields in registers (through
        // the in-reference, the loop tested it for null and reloaded its fields on every vector).
        TOperator f = op;
        // The first vector (when the loop starts past it, to align its stores) and the last (when the loop stops short of
        // the end) are computed from the untouched input before the loop and stored after it, so the overlapping stores
        // that replace a scalar head and tail never feed an output back in (exact in-place calls stay correct). An
        // aligned span of whole vectors needs neither.
        // A compute-bound operator computes them out of line, so that the loop holds its one inlined copy: an exp-based
        // operator is a few dozen instructions, and more copies exhaust the JIT's inlining budget, which then leaves the
        // width's one-line helpers (Add, Multiply, Exp) as calls with operands through memory (tanh ran 3x slower that
        // way). A memory-bound one is a few instructions, inlined: two calls cost a short span more than its loop.
        // The loop is not unrolled: four vectors an iteration read 0.87-0.97x of one at 16K floats (ReLU, scale; L2)
        // and 0.94-1.19x at 1K, side by side (benchmarks/RESULTS.md, "One element-wise driver").
        nuint i = n >= 8 * count ? ElementsToAlignment(ref d, count) : 0;
        bool head = i != 0, tail = ((n - i) & (count - 1)) != 0;
        TVector beg = default, end = default;
        if (TOperator.ComputeBound)
        {
            if (head)
                beg = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, 0, f);
            if (tail)
                end = ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref x, n - count, f);
        }
        else
        {
            if (head)
                beg = TWidth.Apply(f, TWidth.Load(ref x, 0));
            if (tail)
                end = TWidth.Apply(f, TWidth.Load(ref x, n - count));
        }
        for (; i + count <= n; i += count)
            TWidth.Store(TWidth.Apply(f, TWidth.Load(ref x, i)), ref d, i);
        if (tail)
            TWidth.Store(end, ref d, n - count);
        if (head)
            TWidth.Store(beg, ref d, 0);
    }

    /// <summary>op(x[i..i + Count]) as a call: used twice per span, it keeps the operator out of the loop's inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TVector ApplyOutOfLine<T, TOperator, TWidth, TVector>(ref T x, nuint i, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct =>
        TWidth.Apply(op, TWidth.Load(ref x, i));

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
