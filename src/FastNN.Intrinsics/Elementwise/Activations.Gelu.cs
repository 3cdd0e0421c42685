using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>GELU, exact (erf) form as PyTorch's default: <c>y[i] = x[i]·Φ(x[i])</c>, <c>Φ(x) = (1 + erf(x/√2))/2</c>.</summary>
    /// <remarks>
    /// <para>Φ is evaluated directly (see the normal-CDF notes in the source), so negative inputs keep full relative
    /// accuracy where PyTorch's float <c>x·0.5·(1 + erf(x/√2))</c> rounds to 0. Special values: +∞ → +∞,
    /// -∞ → NaN (∞·0, as PyTorch), NaN → NaN. Relative error ≤ 4 ε for float where Φ(x) is a normal float, x &gt; −12.95
    /// (measured over 4M points of [-14, 14]: 3.6 ε with FMA, 3.7 ε without), and a few ε for double where Φ(x) is
    /// normal, x &gt; −37.5 (3.2 ε for Φ in the fit; the tests hold double to 8 ε against a double reference that carries
    /// a few ε of its own). Below, Φ(x) is subnormal and its rounding, up to half its smallest unit (2⁻¹⁵⁰ in float), is
    /// multiplied by |x|: in float the result is still normal down to −13.15, where that adds up to 6.6 ε (8.2 ε in all,
    /// measured over every float there; 10.6 ε bounds it). Results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Gelu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(GeluOperator<T>));
    }

    /// <summary>Exact GELU derivative from the saved input: <c>dx[i] = dy[i]·(Φ(x[i]) + x[i]·φ(x[i]))</c>, φ the standard normal density.</summary>
    /// <remarks>Special values: ±∞ → NaN (∞·0, as PyTorch), NaN → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    public static void GeluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(x, dy, dx, default(GeluBackwardOperator<T>));
    }
}

/// <summary>x·Φ(x)</summary>
internal readonly struct GeluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => Compute<ScalarWidth<T>, T>(x);
    public Vector128<T> Invoke(Vector128<T> x) => Compute<Width128<T>, Vector128<T>>(x);
    public Vector256<T> Invoke(Vector256<T> x) => Compute<Width256<T>, Vector256<T>>(x);
    public Vector512<T> Invoke(Vector512<T> x) => Compute<Width512<T>, Vector512<T>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Compute<TWidth, TVector>(TVector x) where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        TWidth.Multiply(x, NormalCdf.Compute<T, TWidth, TVector>(x, out _));
}

/// <summary>dy·(Φ(x) + x·φ(x))</summary>
internal readonly struct GeluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
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
        TVector cdf = NormalCdf.Compute<T, TWidth, TVector>(x, out TVector density);
        return TWidth.Multiply(dy, TWidth.MultiplyAdd(x, density, cdf));
    }
}
