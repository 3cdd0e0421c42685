using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// An element-wise loss: from a prediction p and a target t, the loss term ℓ(p, t) (returned, to be summed) and the
/// gradient written beside it, in one pass (a loss kernel reads each input once).
/// </summary>
internal interface ILossOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the driver runs the scalar one.</summary>
    static abstract bool Vectorizable { get; }

    T Invoke(T p, T t, out T gradient);
    Vector128<T> Invoke(Vector128<T> p, Vector128<T> t, out Vector128<T> gradient);
    Vector256<T> Invoke(Vector256<T> p, Vector256<T> t, out Vector256<T> gradient);
    Vector512<T> Invoke(Vector512<T> p, Vector512<T> t, out Vector512<T> gradient);
}

/// <summary>A vector width whose lanes can be summed in double whatever T is (float lanes are widened first).</summary>
internal interface IDoubleSumWidth<T, TVector> : IVectorWidth<T, TVector>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
{
    static abstract TVector Apply<TOperator>(in TOperator op, TVector p, TVector t, out TVector gradient) where TOperator : struct, ILossOperator<T>;

    /// <summary>
    /// Adds the lanes of <paramref name="x"/>, as doubles, into two accumulators that hold doubles in
    /// <typeparamref name="TVector"/>'s bits (all zero bits = 0.0): float lanes are widened into both halves, double lanes
    /// go into <paramref name="low"/> only.
    /// </summary>
    static abstract void AddAsDouble(TVector x, ref TVector low, ref TVector high);

    /// <summary>The sum of the doubles held by the two accumulators of <see cref="AddAsDouble"/>.</summary>
    static abstract double SumAsDouble(TVector low, TVector high);
}

internal static partial class Elementwise
{
    /// <summary>
    /// <c>gradient[i]</c> and Σ ℓ(p[i], t[i]) in one pass; the sum is taken in double (float terms widened), so it
    /// does not lose precision with the length. <paramref name="gradient"/> may be <paramref name="p"/> itself: the
    /// last vector is computed from the untouched inputs before the loop, and stored last. An element's gradient and
    /// term depend only on its inputs (and the operator), never on the span's length or its place in it: every span,
    /// however short, goes through the vector lanes when vectors are accelerated; only the sum's order depends on the
    /// length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MapSum<T, TOperator>(ReadOnlySpan<T> p, ReadOnlySpan<T> t, Span<T> gradient, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, ILossOperator<T>
    {
        ref T ps = ref MemoryMarshal.GetReference(p);
        ref T ts = ref MemoryMarshal.GetReference(t);
        ref T gs = ref MemoryMarshal.GetReference(gradient);
        nuint n = (nuint)p.Length;
        if (TOperator.Vectorizable)
        {
            if (Width512<T>.IsAccelerated && n >= (nuint)Vector512<T>.Count)
                return MapSumVectorized<T, TOperator, Width512<T>, Vector512<T>>(ref ps, ref ts, ref gs, n, op);
            if (Width256<T>.IsAccelerated && n >= (nuint)Vector256<T>.Count)
                return MapSumVectorized<T, TOperator, Width256<T>, Vector256<T>>(ref ps, ref ts, ref gs, n, op);
            if (Width128<T>.IsAccelerated && n >= (nuint)Vector128<T>.Count)
                return MapSumVectorized<T, TOperator, Width128<T>, Vector128<T>>(ref ps, ref ts, ref gs, n, op);
            if (Width128<T>.IsAccelerated)
            {
                // Shorter than every vector: one zero-padded vector, as the unary driver, so that an element's gradient
                // and loss term have the bits of the vector lanes every longer span gives it (a row alone is such a span);
                // the padding's terms are left out of the sum.
                Vector128<T> loss = op.Invoke(LoadShort(ref ps, n), LoadShort(ref ts, n), out Vector128<T> g);
                StoreShort(g, ref gs, n);
                double shortSum = 0;
                for (int i = 0; i < (int)n; i++)
                    shortSum += double.CreateTruncating(loss.GetElement(i));
                return shortSum;
            }
        }
        double sum = 0;
        for (nuint i = 0; i < n; i++)
        {
            sum += double.CreateTruncating(op.Invoke(Unsafe.Add(ref ps, i), Unsafe.Add(ref ts, i), out T g));
            Unsafe.Add(ref gs, i) = g;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MapSumVectorized<T, TOperator, TWidth, TVector>(ref T p, ref T t, ref T g, nuint n, in TOperator op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, ILossOperator<T>
        where TWidth : IDoubleSumWidth<T, TVector>
        where TVector : struct
    {
        nuint count = (nuint)TWidth.Count;
        TOperator f = op; // a copy, its fields in registers (see the unary map)
        // The last vector from the untouched inputs (in place, the loop overwrites them); its lanes that the loop also
        // covers are masked out of the sum and their gradients, equal, stored again.
        TVector endLoss = TWidth.Apply(f, TWidth.Load(ref p, n - count), TWidth.Load(ref t, n - count), out TVector endGradient);
        TVector zero = TWidth.Broadcast(T.Zero), low = zero, high = zero;
        nuint i = 0;
        for (; i + count <= n; i += count)
        {
            TVector loss = TWidth.Apply(f, TWidth.Load(ref p, i), TWidth.Load(ref t, i), out TVector gradient);
            TWidth.Store(gradient, ref g, i);
            TWidth.AddAsDouble(loss, ref low, ref high);
        }
        int trailing = (int)(n - i);
        if (trailing != 0)
            TWidth.AddAsDouble(TWidth.KeepLast(endLoss, trailing, T.Zero), ref low, ref high);
        TWidth.Store(endGradient, ref g, n - count);
        return TWidth.SumAsDouble(low, high);
    }
}

internal readonly partial struct Width128<T> : IDoubleSumWidth<T, Vector128<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Apply<TOperator>(in TOperator op, Vector128<T> p, Vector128<T> t, out Vector128<T> gradient) where TOperator : struct, ILossOperator<T> =>
        op.Invoke(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddAsDouble(Vector128<T> x, ref Vector128<T> low, ref Vector128<T> high)
    {
        if (typeof(T) == typeof(float))
        {
            (Vector128<double> a, Vector128<double> b) = Vector128.Widen(x.AsSingle());
            low = (low.AsDouble() + a).As<double, T>();
            high = (high.AsDouble() + b).As<double, T>();
        }
        else
        {
            low = (low.AsDouble() + x.AsDouble()).As<double, T>();
        }
    }

    public static double SumAsDouble(Vector128<T> low, Vector128<T> high) => Vector128.Sum(low.AsDouble() + high.AsDouble());
}

internal readonly partial struct Width256<T> : IDoubleSumWidth<T, Vector256<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<TOperator>(in TOperator op, Vector256<T> p, Vector256<T> t, out Vector256<T> gradient) where TOperator : struct, ILossOperator<T> =>
        op.Invoke(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddAsDouble(Vector256<T> x, ref Vector256<T> low, ref Vector256<T> high)
    {
        if (typeof(T) == typeof(float))
        {
            (Vector256<double> a, Vector256<double> b) = Vector256.Widen(x.AsSingle());
            low = (low.AsDouble() + a).As<double, T>();
            high = (high.AsDouble() + b).As<double, T>();
        }
        else
        {
            low = (low.AsDouble() + x.AsDouble()).As<double, T>();
        }
    }

    public static double SumAsDouble(Vector256<T> low, Vector256<T> high) => Vector256.Sum(low.AsDouble() + high.AsDouble());
}

internal readonly partial struct Width512<T> : IDoubleSumWidth<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<TOperator>(in TOperator op, Vector512<T> p, Vector512<T> t, out Vector512<T> gradient) where TOperator : struct, ILossOperator<T> =>
        op.Invoke(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddAsDouble(Vector512<T> x, ref Vector512<T> low, ref Vector512<T> high)
    {
        if (typeof(T) == typeof(float))
        {
            (Vector512<double> a, Vector512<double> b) = Vector512.Widen(x.AsSingle());
            low = (low.AsDouble() + a).As<double, T>();
            high = (high.AsDouble() + b).As<double, T>();
        }
        else
        {
            low = (low.AsDouble() + x.AsDouble()).As<double, T>();
        }
    }

    public static double SumAsDouble(Vector512<T> low, Vector512<T> high) => Vector512.Sum(low.AsDouble() + high.AsDouble());
}
