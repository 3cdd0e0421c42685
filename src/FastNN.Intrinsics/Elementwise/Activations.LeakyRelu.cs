using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Leaky ReLU: <c>y[i] = x[i] &gt; 0 ? x[i] : negativeSlope·x[i]</c>.</summary>
    /// <remarks>PyTorch's default slope is 0.01. Special values: ±∞ → +∞ or negativeSlope·(-∞), NaN → NaN. Exact up to the one rounding of the product.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch default 0.01).</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite.</exception>
    public static void LeakyRelu<T>(ReadOnlySpan<T> x, Span<T> y, T negativeSlope) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        SpanChecks.Finite(negativeSlope, nameof(negativeSlope));
        Elementwise.Map(x, y, new LeakyReluOperator<T>(negativeSlope));
    }

    /// <summary>Leaky ReLU derivative from the saved input: <c>dx[i] = x[i] &gt; 0 ? dy[i] : negativeSlope·dy[i]</c>.</summary>
    /// <remarks>At x = 0 the derivative is negativeSlope, as PyTorch's. Special values: a NaN x takes the negative
    /// branch (x &gt; 0 is false: dx = negativeSlope·dy, as PyTorch's leaky_relu_backward); NaN in dy → NaN. Exact up to
    /// the one rounding of the product.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <param name="negativeSlope">The slope used in the forward pass.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite.</exception>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T negativeSlope) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        SpanChecks.Finite(negativeSlope, nameof(negativeSlope));
        Elementwise.Map(x, dy, dx, new LeakyReluBackwardOperator<T>(negativeSlope));
    }
}

/// <summary>x &gt; 0 ? x : slope·x (also PReLU with one shared slope, and, as a binary operator, PReLU per feature).</summary>
internal readonly struct LeakyReluOperator<T>(T slope) : IUnaryOperator<T>, IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x > T.Zero ? x : slope * x;
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * slope);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * slope);
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * slope);

    // (x, slope) per element: PReLU with one slope per feature.
    public T Invoke(T x, T s) => x > T.Zero ? x : s * x;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * s);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * s);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * s);
}

/// <summary>x &gt; 0 ? dy : slope·dy (also, as a ternary operator over (x, dy, slope), PReLU per feature).</summary>
internal readonly struct LeakyReluBackwardOperator<T>(T slope) : IBinaryOperator<T>, ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T dy) => x > T.Zero ? dy : slope * dy;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * slope);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * slope);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * slope);

    public T Invoke(T x, T dy, T s) => x > T.Zero ? dy : s * dy;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> s) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * s);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> s) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * s);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy, Vector512<T> s) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * s);
}
