using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>The same unary operator taken down the drivers' compute-bound path (first and last vectors out of line).</summary>
internal readonly struct ComputeBoundUnary<T, TOperator> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IUnaryOperator<T>
{
    public static bool Vectorizable => TOperator.Vectorizable;
    public static bool ComputeBound => true;
    public T Invoke(T x) => default(TOperator).Invoke(x);
    public Vector128<T> Invoke(Vector128<T> x) => default(TOperator).Invoke(x);
    public Vector256<T> Invoke(Vector256<T> x) => default(TOperator).Invoke(x);
    public Vector512<T> Invoke(Vector512<T> x) => default(TOperator).Invoke(x);
}

/// <summary>The same binary operator taken down the drivers' compute-bound path.</summary>
internal readonly struct ComputeBoundBinary<T, TOperator> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IBinaryOperator<T>
{
    public static bool Vectorizable => TOperator.Vectorizable;
    public static bool ComputeBound => true;
    public T Invoke(T x, T y) => default(TOperator).Invoke(x, y);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => default(TOperator).Invoke(x, y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => default(TOperator).Invoke(x, y);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => default(TOperator).Invoke(x, y);
}
