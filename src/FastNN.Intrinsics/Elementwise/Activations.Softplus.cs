using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Softplus as PyTorch: <c>y[i] = β·x[i] &gt; threshold ? x[i] : log(1 + exp(β·x[i]))/β</c>.</summary>
    /// <remarks>
    /// <para>log(1 + exp(z)) is evaluated as <c>max(z, 0) + log1p(exp(-|z|))</c>, with log1p(v) = log(u)·v/(u − 1), u = 1 + v
    /// (exact when u = 1), so softplus(-100f) ≈ 3.8e-44 and nothing overflows. PyTorch defaults: β = 1, threshold = 20.
    /// Special values: -∞ → 0, +∞ → +∞, NaN → NaN. Relative error within a few ulp; results may differ across
    /// instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="beta">β &gt; 0 (PyTorch default 1).</param>
    /// <param name="threshold">Above it (in β·x) the function is the identity (PyTorch default 20).</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not a positive finite number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN.</exception>
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y, T beta, T threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        ValidateSoftplus(beta, threshold);
        Elementwise.Map(x, y, new SoftplusOperator<T>(beta, threshold));
    }

    /// <summary>Softplus derivative from the saved input: <c>dx[i] = β·x[i] &gt; threshold ? dy[i] : dy[i]·σ(β·x[i])</c>.</summary>
    /// <remarks>Special values: -∞ → 0, +∞ → dy, NaN → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <param name="beta">The β used in the forward pass.</param>
    /// <param name="threshold">The threshold used in the forward pass.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not a positive finite number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN.</exception>
    public static void SoftplusBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T beta, T threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        ValidateSoftplus(beta, threshold);
        Elementwise.Map(x, dy, dx, new SoftplusBackwardOperator<T>(beta, threshold));
    }

    private static void ValidateSoftplus<T>(T beta, T threshold) where T : IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(beta) || beta <= T.Zero)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number.");
        if (T.IsNaN(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must not be NaN.");
    }
}

/// <summary>β·x &gt; threshold ? x : (max(z, 0) + log1p(exp(−|z|)))/β, z = β·x</summary>
internal readonly struct SoftplusOperator<T>(T beta, T threshold) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
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
        TVector z = TWidth.Multiply(x, TWidth.Broadcast(beta));
        TVector v = TWidth.ExpNonPositive(TWidth.Negate(TWidth.Abs(z)));                  // v = exp(−|z|) ∈ [0, 1]
        TVector u = TWidth.Add(TWidth.Constant(1), v);
        TVector um1 = TWidth.Subtract(u, TWidth.Constant(1));
        // log1p(v) = log(u)·v/(u − 1) corrects the rounding of u = 1 + v; when u rounds to 1, log1p(v) = v.
        TVector log1p = TWidth.Select(TWidth.GreaterThan(um1, TWidth.Constant(0)),
            TWidth.Multiply(TWidth.Log(u), TWidth.Divide(v, um1)), v);
        TVector soft = TWidth.Divide(TWidth.Add(TWidth.Max(z, TWidth.Constant(0)), log1p), TWidth.Broadcast(beta));
        return TWidth.Select(TWidth.GreaterThan(z, TWidth.Broadcast(threshold)), x, soft);
    }
}

/// <summary>β·x &gt; threshold ? dy : dy·σ(β·x)</summary>
internal readonly struct SoftplusBackwardOperator<T>(T beta, T threshold) : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x, T dy) => Compute<ScalarWidth<T>, T>(x, dy);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Compute<Width128<T>, Vector128<T>>(x, dy);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Compute<Width256<T>, Vector256<T>>(x, dy);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Compute<Width512<T>, Vector512<T>>(x, dy);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVector Compute<TWidth, TVector>(TVector x, TVector dy) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector z = TWidth.Multiply(x, TWidth.Broadcast(beta));
        TVector s = SigmoidOperator<T>.Compute<TWidth, TVector>(z, out _);
        return TWidth.Select(TWidth.GreaterThan(z, TWidth.Broadcast(threshold)), dy, TWidth.Multiply(dy, s));
    }
}
