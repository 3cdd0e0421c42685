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
    /// <summary>Whether the vector <c>Invoke</c>s may be used for <typeparamref name="T"/>; if not, the span walk runs the scalar one.</summary>
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
        return Walk<T, TOperator, LossLanes<T, TOperator>>(
            ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(t), ref MemoryMarshal.GetReference(gradient), (nuint)p.Length, op);
    }
}

/// <summary>The loss map read by the span walk: x = p, y = t; the gradient is the output, the loss the terms.</summary>
internal readonly struct LossLanes<T, TOperator> : IMapLanes<T, TOperator>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, ILossOperator<T>
{
    public static bool Vectorizable => TOperator.Vectorizable;
    public static bool ComputeBound => false;
    public static bool Sums => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<TWidth, TVector>(in TOperator op, ref T x, ref T y, nuint i, out TVector terms)
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        terms = TWidth.Apply(op, TWidth.Load(ref x, i), TWidth.Load(ref y, i), out TVector gradient);
        return gradient;
    }

    public static Vector128<T> Short(in TOperator op, ref T x, ref T y, ref T destination, nuint n)
    {
        Vector128<T> loss = op.Invoke(Elementwise.LoadShort(ref x, n), Elementwise.LoadShort(ref y, n), out Vector128<T> gradient);
        Elementwise.StoreShort(gradient, ref destination, n);
        return loss;
    }
}

internal readonly partial struct Width128<T> : IDoubleSumWidth<T, Vector128<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
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
