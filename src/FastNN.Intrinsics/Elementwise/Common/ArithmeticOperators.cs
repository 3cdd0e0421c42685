using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>x</summary>
internal readonly struct IdentityOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x;
    public Vector128<T> Invoke(Vector128<T> x) => x;
    public Vector256<T> Invoke(Vector256<T> x) => x;
    public Vector512<T> Invoke(Vector512<T> x) => x;
}

/// <summary>x + y; as an aggregation, a sum with identity 0.</summary>
internal readonly struct AddOperator<T> : IAggregationOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public static T Identity => T.Zero;
    public T Invoke(T x, T y) => x + y;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x + y;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x + y;
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x + y;
    public static T Reduce(Vector128<T> x) => Vector128.Sum(x);
    public static T Reduce(Vector256<T> x) => Vector256.Sum(x);
    public static T Reduce(Vector512<T> x) => Vector512.Sum(x);
}

/// <summary>max(x, y), NaN if either is NaN; as an aggregation, identity −∞.</summary>
internal readonly struct MaxOperator<T> : IAggregationOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public static T Identity => T.NegativeInfinity;
    public T Invoke(T x, T y) => T.Max(x, y);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);
    public static T Reduce(Vector128<T> x) => T.Max(T.Max(x[0], x[1]), Vector128<T>.Count > 2 ? T.Max(x[2], x[3]) : x[0]);
    public static T Reduce(Vector256<T> x) => Reduce(Vector128.Max(x.GetLower(), x.GetUpper()));
    public static T Reduce(Vector512<T> x) => Reduce(Vector256.Max(x.GetLower(), x.GetUpper()));
}

/// <summary>x·x</summary>
internal readonly struct SquareOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x * x;
    public Vector128<T> Invoke(Vector128<T> x) => x * x;
    public Vector256<T> Invoke(Vector256<T> x) => x * x;
    public Vector512<T> Invoke(Vector512<T> x) => x * x;
}

/// <summary>|x|</summary>
internal readonly struct AbsOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => T.Abs(x);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Abs(x);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Abs(x);
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Abs(x);
}

/// <summary>x − x: 0 for a finite x, NaN for ±∞ and NaN (so a sum of it is NaN exactly when some x is not finite).</summary>
internal readonly struct NonFiniteToNaNOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x - x;
    public Vector128<T> Invoke(Vector128<T> x) => x - x;
    public Vector256<T> Invoke(Vector256<T> x) => x - x;
    public Vector512<T> Invoke(Vector512<T> x) => x - x;
}

/// <summary>x·scale</summary>
internal readonly struct ScaleOperator<T>(T scale) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x * scale;
    public Vector128<T> Invoke(Vector128<T> x) => x * scale;
    public Vector256<T> Invoke(Vector256<T> x) => x * scale;
    public Vector512<T> Invoke(Vector512<T> x) => x * scale;
}
