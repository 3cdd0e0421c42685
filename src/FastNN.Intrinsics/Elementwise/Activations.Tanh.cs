using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Hyperbolic tangent: <c>y[i] = tanh(x[i])</c>.</summary>
    /// <remarks>
    /// <para>For |x| &lt; 0.55 an odd polynomial <c>x + x³·P(x²)</c> (no cancellation near 0), above it
    /// <c>sign(x)·(1 - 2/(exp(2|x|) + 1))</c>. Special values: ±0 → ±0, -∞ → -1, +∞ → 1, NaN → NaN.
    /// Relative error within a few ulp of <typeparamref name="T"/>; results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(TanhOperator<T>));
    }

    /// <summary>Tanh derivative from the saved output: <c>dx[i] = dy[i]·(1 - y[i]²)</c>.</summary>
    /// <remarks>Special values: NaN in y or dy → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The saved forward output tanh(x).</param>
    /// <param name="dy">The gradient of the loss with respect to y.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="y"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="y"/> or <paramref name="dy"/>.</exception>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(y, nameof(y), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(y, dy, dx, default(TanhBackwardOperator<T>));
    }
}

/// <summary>tanh(x): an odd polynomial near 0, sign(x)·(1 − 2/(e^{2|x|} + 1)) elsewhere.</summary>
internal readonly struct TanhOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => Compute<ScalarWidth<T>, T>(x);
    public Vector128<T> Invoke(Vector128<T> x) => Compute<Width128<T>, Vector128<T>>(x);
    public Vector256<T> Invoke(Vector256<T> x) => Compute<Width256<T>, Vector256<T>>(x);
    public Vector512<T> Invoke(Vector512<T> x) => Compute<Width512<T>, Vector512<T>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<TWidth, TVector>(TVector x)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector ax = TWidth.Abs(x);
        TVector w = TWidth.Multiply(x, x);
        // |x| < 0.55: tanh x = x + x·w·P(w), w = x² (tools/fit_normal_cdf.py, tanh_report: 0.5 ulp float, 0.7 ulp double)
        TVector p = typeof(T) == typeof(float) ? OddFloat<TWidth, TVector>(w) : OddDouble<TWidth, TVector>(w);
        TVector small = TWidth.MultiplyAdd(TWidth.Multiply(x, w), p, x);
        // |x| ≥ 0.55: 1 − 2/(e^{2|x|} + 1) ≥ 0.5, so the subtraction loses nothing; e^{2|x|} = ∞ gives exactly 1.
        TVector one = TWidth.Constant(1);
        TVector large = TWidth.Subtract(one, TWidth.Divide(TWidth.Constant(2), TWidth.Add(TWidth.Exp(TWidth.Add(ax, ax)), one)));
        // tanh is odd: the sign of x, also for ±0 (where x + x·w·P rounds −0 to +0).
        return TWidth.CopySign(TWidth.Select(TWidth.LessThan(ax, TWidth.Constant(0.55)), small, large), x);
    }

    /// <summary>P(w) for float (degree 4), Horner from the highest degree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector OddFloat<TWidth, TVector>(TVector w)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector p = TWidth.Constant(-6.604856256828486616e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 2.130611541093219496e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -5.3908803693915738623e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 1.3333109888750398041e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -3.3333331970717698841e-1);
        return p;
    }

    /// <summary>P(w) for double (degree 9).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector OddDouble<TWidth, TVector>(TVector w)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector p = TWidth.Constant(5.3862614860312922851e-5);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -2.1448239970754500419e-4);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 5.8173838739880371753e-4);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -1.4541075845644554744e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 3.5919025397755020246e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -8.8632174659925355857e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 2.1869487700681691e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -5.3968253948552173172e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 1.3333333333315248771e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -3.3333333333333305846e-1);
        return p;
    }
}

/// <summary>dy·(1 − y²), from the saved output y = tanh(x).</summary>
internal readonly struct TanhBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T y, T dy) => dy * (T.One - y * y);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => dy * (Vector128<T>.One - y * y);
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => dy * (Vector256<T>.One - y * y);
    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => dy * (Vector512<T>.One - y * y);
}
