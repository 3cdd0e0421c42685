using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Logistic sigmoid: <c>y[i] = 1 / (1 + exp(-x[i]))</c>, computed stably.</summary>
    /// <remarks>
    /// <para>Evaluated as <c>1/(1 + e)</c> for x ≥ 0 and <c>e/(1 + e)</c> for x &lt; 0 with <c>e = exp(-|x|)</c>, so tiny
    /// results do not flush to zero (sigmoid(-100f) ≈ 3.7e-44) and nothing overflows.
    /// Special values: -∞ → 0, +∞ → 1, NaN → NaN. Relative error within a few ulp of <typeparamref name="T"/>;
    /// results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(SigmoidOperator<T>));
    }

    /// <summary>Sigmoid derivative from the saved output: <c>dx[i] = dy[i]·y[i]·(1 - y[i])</c>.</summary>
    /// <remarks>Special values: NaN in y or dy → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The saved forward output sigmoid(x).</param>
    /// <param name="dy">The gradient of the loss with respect to y.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="y"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="y"/> or <paramref name="dy"/>.</exception>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(y, nameof(y), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(y, dy, dx, default(SigmoidBackwardOperator<T>));
    }
}

/// <summary>σ(x) = 1 / (1 + exp(-x)), stable for both signs.</summary>
internal readonly struct SigmoidOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => Compute<ScalarWidth<T>, T>(x, out _);
    public Vector128<T> Invoke(Vector128<T> x) => Compute<Width128<T>, Vector128<T>>(x, out _);
    public Vector256<T> Invoke(Vector256<T> x) => Compute<Width256<T>, Vector256<T>>(x, out _);
    public Vector512<T> Invoke(Vector512<T> x) => Compute<Width512<T>, Vector512<T>>(x, out _);

    /// <summary>σ(z), and its derivative σ(1 − σ) = e/(1 + e)² without the cancellation of 1 − σ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<TWidth, TVector>(TVector z, out TVector derivative)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector one = TWidth.Constant(1);
        TVector e = TWidth.ExpNonPositive(TWidth.Negate(TWidth.Abs(z)));   // e = exp(-|z|) ≤ 1: never overflows
        TVector r = TWidth.Divide(one, TWidth.Add(one, e));      // r = 1 / (1 + e) = σ(|z|)
        TVector er = TWidth.Multiply(e, r);                      // e·r = σ(-|z|)
        derivative = TWidth.Multiply(er, r);
        return TWidth.Select(TWidth.LessThan(z, TWidth.Constant(0)), er, r);
    }
}

/// <summary>dy·y·(1 − y), from the saved output y = σ(x).</summary>
internal readonly struct SigmoidBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T y, T dy) => dy * (y * (T.One - y));
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => dy * (y * (Vector128<T>.One - y));
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => dy * (y * (Vector256<T>.One - y));
    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => dy * (y * (Vector512<T>.One - y));
}
