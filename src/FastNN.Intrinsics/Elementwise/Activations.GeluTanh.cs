using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>GELU, tanh approximation (PyTorch's <c>approximate='tanh'</c>): <c>y[i] = x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.</summary>
    /// <remarks>
    /// <para>Evaluated as <c>x·σ(2u)</c>, <c>u = √(2/π)·(x + 0.044715·x³)</c> (the same function: 1 + tanh(u) = 2σ(2u)),
    /// with the stable sigmoid, so negative inputs keep full relative accuracy. Special values: +∞ → +∞,
    /// -∞ → NaN (∞·0, as PyTorch), NaN → NaN. Relative error within a few ulp away from the x³ rounding's
    /// conditioning; results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void GeluTanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(GeluTanhOperator<T>));
    }

    /// <summary>Derivative of the tanh-approximated GELU from the saved input: <c>dx = dy·(s + x·s·(1 - s)·2u′)</c>, <c>s = σ(2u)</c>, <c>u′ = √(2/π)·(1 + 3·0.044715·x²)</c>.</summary>
    /// <remarks>Special values: ±∞ → NaN (as PyTorch), NaN → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    public static void GeluTanhBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(x, dy, dx, default(GeluTanhBackwardOperator<T>));
    }
}

/// <summary>x·σ(2u), u = √(2/π)·(x + 0.044715·x³)</summary>
internal readonly struct GeluTanhOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const double Sqrt2OverPi = 0.797884560802865355879892119869;
    public const double Cubic = 0.044715;

    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => Compute<ScalarWidth<T>, T>(x);
    public Vector128<T> Invoke(Vector128<T> x) => Compute<Width128<T>, Vector128<T>>(x);
    public Vector256<T> Invoke(Vector256<T> x) => Compute<Width256<T>, Vector256<T>>(x);
    public Vector512<T> Invoke(Vector512<T> x) => Compute<Width512<T>, Vector512<T>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Compute<TWidth, TVector>(TVector x) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        // 2u = 2·√(2/π)·x·(1 + 0.044715·x²)
        TVector twoU = TWidth.Multiply(TWidth.Multiply(x, TWidth.Constant(2 * Sqrt2OverPi)),
            TWidth.MultiplyAdd(TWidth.Multiply(x, x), TWidth.Constant(Cubic), TWidth.Constant(1)));
        return TWidth.Multiply(x, SigmoidOperator<T>.Compute<TWidth, TVector>(twoU, out _));
    }
}

/// <summary>dy·(s + x·s(1 − s)·2u′), s = σ(2u)</summary>
internal readonly struct GeluTanhBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x, T dy) => Compute<ScalarWidth<T>, T>(x, dy);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Compute<Width128<T>, Vector128<T>>(x, dy);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Compute<Width256<T>, Vector256<T>>(x, dy);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Compute<Width512<T>, Vector512<T>>(x, dy);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Compute<TWidth, TVector>(TVector x, TVector dy) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector x2 = TWidth.Multiply(x, x);
        TVector twoU = TWidth.Multiply(TWidth.Multiply(x, TWidth.Constant(2 * GeluTanhOperator<T>.Sqrt2OverPi)),
            TWidth.MultiplyAdd(x2, TWidth.Constant(GeluTanhOperator<T>.Cubic), TWidth.Constant(1)));
        TVector s = SigmoidOperator<T>.Compute<TWidth, TVector>(twoU, out TVector ds);
        // Where |x| > 1e3, s(1 − s) is exactly 0: capping x² there keeps 2u′ finite so that 0·∞ cannot make a NaN.
        TVector capped = TWidth.Select(TWidth.LessThan(x2, TWidth.Constant(1e6)), x2, TWidth.Constant(1e6));
        TVector twoDu = TWidth.MultiplyAdd(capped, TWidth.Constant(2 * GeluTanhOperator<T>.Sqrt2OverPi * 3 * GeluTanhOperator<T>.Cubic),
            TWidth.Constant(2 * GeluTanhOperator<T>.Sqrt2OverPi));
        return TWidth.Multiply(dy, TWidth.MultiplyAdd(TWidth.Multiply(x, ds), twoDu, s));
    }
}
