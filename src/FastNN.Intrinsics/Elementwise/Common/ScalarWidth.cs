using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>
/// A one-lane "vector": lets the few polynomial kernels (tanh, the normal CDF) be written once over
/// <see cref="IVectorWidth{T, TVector}"/> and serve the scalar path with exactly the same formula.
/// </summary>
internal readonly partial struct ScalarWidth<T> : IVectorWidth<T, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => true;
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Load(ref T source, nuint index) => Unsafe.Add(ref source, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T value, ref T destination, nuint index) => Unsafe.Add(ref destination, index) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Broadcast(T value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Constant(double value) => T.CreateTruncating(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOperator>(in TOperator op, T x) where TOperator : struct, IUnaryOperator<T> => op.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOperator>(in TOperator op, T x, T y) where TOperator : struct, IBinaryOperator<T> => op.Invoke(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOperator>(in TOperator op, T x, T y, T z) where TOperator : struct, ITernaryOperator<T> => op.Invoke(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOperator>(in TOperator op, T p, T t, out T gradient) where TOperator : struct, ILossOperator<T> => op.Invoke(p, t, out gradient);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Reduce<TOperator>(T x) where TOperator : struct, IAggregationOperator<T> => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T KeepLast(T x, int trailing, T identity) => trailing > 0 ? x : identity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Add(T x, T y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Subtract(T x, T y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Multiply(T x, T y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Divide(T x, T y) => x / y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MultiplyAdd(T x, T y, T z) => T.MultiplyAddEstimate(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T FusedMultiplyAdd(T x, T y, T z) => T.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Abs(T x) => T.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Negate(T x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sqrt(T x) => T.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Exp(T x) => T.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T ExpNonPositive(T x) => T.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T ExpM1NonPositive(T x) => VectorMath.ExpM1ByTanh<T, ScalarWidth<T>, T>(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T PowerOfTwo(T n) => T.ScaleB(T.One, int.CreateTruncating(n));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T ScaleB(T x, T n) => T.ScaleB(x, int.CreateTruncating(n));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T AtLeast(T x, T low) => x < low ? low : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T AtMost(T x, T high) => x > high ? high : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Clamp(T x, T low, T high) => x < low ? low : x > high ? high : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Log(T x) => T.Log(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Max(T x, T y) => T.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T GreaterThan(T x, T y) => x > y ? T.NaN : T.Zero;
    // A mask: NaN (all exponent bits set, as a vector mask lane) for true, zero for false; only Select reads it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T LessThan(T x, T y) => x < y ? T.NaN : T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Select(T mask, T whenTrue, T whenFalse) => mask == T.Zero ? whenFalse : whenTrue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T CopySign(T x, T sign) => T.CopySign(x, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T FlushSubnormals(T x) => T.IsSubnormal(x) ? T.CopySign(T.Zero, x) : x;
}
