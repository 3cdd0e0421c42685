using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>ELU: <c>y[i] = x[i] &gt; 0 ? x[i] : alpha·(exp(x[i]) - 1)</c>.</summary>
    /// <remarks>
    /// <para>exp(x) − 1 keeps full relative accuracy near 0 (PyTorch 1.13's CPU kernel does not: its ELU(−1e-8) is 0 in float): for float vectors it is
    /// <c>2^n·(e^r − 1) + (2^n − 1)</c> from exp's own range reduction, otherwise <c>2t/(1 − t)</c> with
    /// <c>t = tanh(x/2)</c>. PyTorch's default alpha is 1. Special values: ±0 → ±0 (PyTorch 1.13: +0 for both), -∞ → -alpha, +∞ → +∞, NaN → NaN.
    /// Relative error within a few ulp; results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="alpha">The saturation value for negative inputs (PyTorch default 1).</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite.</exception>
    public static void Elu<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        SpanChecks.Finite(alpha, nameof(alpha));
        Elementwise.Map(x, y, new EluOperator<T>(alpha));
    }

    /// <summary>ELU derivative from the saved input: <c>dx[i] = x[i] &gt; 0 ? dy[i] : dy[i]·alpha·exp(x[i])</c>.</summary>
    /// <remarks>At x = 0 the derivative is alpha, as PyTorch's. Special values: NaN x → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <param name="alpha">The alpha used in the forward pass.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite.</exception>
    public static void EluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        SpanChecks.Finite(alpha, nameof(alpha));
        Elementwise.Map(x, dy, dx, new EluBackwardOperator<T>(alpha));
    }
}

/// <summary>x &lt; 0 ? α·expm1(x) : x (so that −0 stays −0 whatever expm1 makes of it).</summary>
internal readonly struct EluOperator<T>(T alpha) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => Compute<ScalarWidth<T>, T>(x);
    public Vector128<T> Invoke(Vector128<T> x) => Compute<Width128<T>, Vector128<T>>(x);
    public Vector256<T> Invoke(Vector256<T> x) => Compute<Width256<T>, Vector256<T>>(x);
    public Vector512<T> Invoke(Vector512<T> x) => Compute<Width512<T>, Vector512<T>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVector Compute<TWidth, TVector>(TVector x) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector expm1 = TWidth.ExpM1NonPositive(x);
        return TWidth.Select(TWidth.LessThan(x, TWidth.Constant(0)), TWidth.Multiply(TWidth.Broadcast(alpha), expm1), x);
    }
}

/// <summary>x &gt; 0 ? dy : dy·α·exp(x)</summary>
internal readonly struct EluBackwardOperator<T>(T alpha) : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x, T dy) => x > T.Zero ? dy : dy * (alpha * T.Exp(x));
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * (alpha * VectorMath.Exp(x)));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * (alpha * VectorMath.Exp(x)));
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * (alpha * VectorMath.Exp(x)));
}
