using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Rectified linear unit: <c>y[i] = max(x[i], 0)</c>.</summary>
    /// <remarks>Special values: +∞ → +∞, -∞ → 0, NaN → NaN (as PyTorch); -0 → +0 (PyTorch 1.13 keeps -0). Exact.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(ReluOperator<T>));
    }

    /// <summary>ReLU derivative from the saved input: <c>dx[i] = x[i] &lt;= 0 ? 0 : dy[i]</c>.</summary>
    /// <remarks>The derivative at 0 is 0, and a NaN x passes dy through (x ≤ 0 is false), as PyTorch's
    /// <c>threshold_backward</c>. The saved output y may stand for x: y ≤ 0 exactly where x ≤ 0, and y is NaN exactly where
    /// x is. Exact.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    public static void ReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(x, dy, dx, default(ReluBackwardOperator<T>));
    }
}

/// <summary>max(x, 0), NaN-propagating.</summary>
internal readonly struct ReluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => T.Max(x, T.Zero);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Max(x, Vector128<T>.Zero);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Max(x, Vector512<T>.Zero);
}

/// <summary>x ≤ 0 ? 0 : dy (PyTorch's threshold_backward: a NaN x passes dy)</summary>
internal readonly struct ReluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T dy) => x <= T.Zero ? T.Zero : dy;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Vector128.AndNot(dy, Vector128.LessThanOrEqual(x, Vector128<T>.Zero));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.AndNot(dy, Vector256.LessThanOrEqual(x, Vector256<T>.Zero));
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Vector512.AndNot(dy, Vector512.LessThanOrEqual(x, Vector512<T>.Zero));
}
