using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>SiLU (swish): <c>y[i] = x[i]·σ(x[i])</c>.</summary>
    /// <remarks>Uses the stable sigmoid. Special values: +∞ → +∞, -∞ → NaN (∞·0, as PyTorch), NaN → NaN.
    /// Relative error within a few ulp where σ(x) is a normal number (x &gt; −87.3 in float, x &gt; −708.4 in double). Below,
    /// σ(x) is subnormal and its rounding, up to half its smallest unit (2⁻¹⁵⁰ in float), is multiplied by |x|: the result
    /// is still normal down to −91.9 in float, where that adds up to 46 ε (46.4 ε in all, measured over every float there;
    /// the few ulp above plus 46 ε bound it). PyTorch's float SiLU is −0 below −88.72. Results may differ across
    /// instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Silu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Elementwise.Map(x, y, default(SiluOperator<T>));
    }

    /// <summary>SiLU derivative from the saved input: <c>dx[i] = dy[i]·(σ(x) + x·σ(x)·(1 - σ(x)))</c>.</summary>
    /// <remarks>Special values: ±∞ → NaN (as PyTorch), NaN → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input.</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>.</exception>
    public static void SiluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        Elementwise.Map(x, dy, dx, default(SiluBackwardOperator<T>));
    }
}

/// <summary>x·σ(x)</summary>
internal readonly struct SiluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => x * SigmoidOperator<T>.Compute<ScalarWidth<T>, T>(x, out _);
    public Vector128<T> Invoke(Vector128<T> x) => x * SigmoidOperator<T>.Compute<Width128<T>, Vector128<T>>(x, out _);
    public Vector256<T> Invoke(Vector256<T> x) => x * SigmoidOperator<T>.Compute<Width256<T>, Vector256<T>>(x, out _);
    public Vector512<T> Invoke(Vector512<T> x) => x * SigmoidOperator<T>.Compute<Width512<T>, Vector512<T>>(x, out _);
}

/// <summary>dy·(σ + x·σ(1 − σ))</summary>
internal readonly struct SiluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
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
        TVector s = SigmoidOperator<T>.Compute<TWidth, TVector>(x, out TVector ds);
        return TWidth.Multiply(dy, TWidth.MultiplyAdd(x, ds, s));
    }
}
