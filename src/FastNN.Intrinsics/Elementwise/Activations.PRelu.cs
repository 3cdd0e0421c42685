using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>PReLU: <c>y[r, c] = x[r, c] &gt; 0 ? x[r, c] : a·x[r, c]</c>, with a = slopes[c] (one per feature) or slopes[0] (shared).</summary>
    /// <remarks>PyTorch initializes the slopes to 0.25. Special values: NaN → NaN. Exact up to the one rounding of the product.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input, [rows, features] row-major.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="slopes">The learnable slopes: length 1 (shared) or <paramref name="features"/>.</param>
    /// <param name="features">Columns of x: its length must be a multiple of it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="x"/> is not a multiple of <paramref name="features"/>, or <paramref name="slopes"/> has neither length 1 nor <paramref name="features"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>, or overlaps <paramref name="slopes"/>.</exception>
    public static void PRelu<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<T> slopes, int features) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        ValidatePRelu(x, slopes, features);
        SpanChecks.Disjoint(slopes, nameof(slopes), y, nameof(y));
        if (slopes.Length == 1)
        {
            Elementwise.Map(x, y, new LeakyReluOperator<T>(slopes[0]));
            return;
        }
        var op = new LeakyReluOperator<T>(T.Zero);
        for (int start = 0; start < x.Length; start += features)
            Elementwise.Map(x.Slice(start, features), slopes, y.Slice(start, features), op);
    }

    /// <summary>
    /// PReLU derivatives from the saved input: <c>dx[r, c] = x &gt; 0 ? dy : a·dy</c> (overwritten) and
    /// <c>dslopes[c] += Σ_r (x &gt; 0 ? 0 : x·dy)</c> (ACCUMULATED; summed over everything when one slope is shared).
    /// </summary>
    /// <remarks>The slope gradient is summed row after row in a fixed order. Special values: a NaN x takes the negative
    /// branch (x &gt; 0 is false: dx = slope·dy); NaN in dy → NaN. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The saved forward input, [rows, features].</param>
    /// <param name="dy">The gradient of the loss with respect to the output.</param>
    /// <param name="slopes">The slopes used in the forward pass: length 1 or <paramref name="features"/>.</param>
    /// <param name="features">Columns of x.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="x"/> or <paramref name="dy"/> itself; or empty, when only
    /// the slope gradient is wanted (the first layer of a model that computes no input gradient): the same sums, the same bits.</param>
    /// <param name="dslopes">The gradient with respect to the slopes, same length as <paramref name="slopes"/>; accumulated into.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="x"/> is not a multiple of <paramref name="features"/>, or <paramref name="slopes"/> has neither length 1 nor <paramref name="features"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or a non-empty <paramref name="dx"/> differs in length from <paramref name="x"/>, or <paramref name="dslopes"/> from <paramref name="slopes"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="x"/> or <paramref name="dy"/>, or <paramref name="dslopes"/> or <paramref name="dx"/> overlaps another argument.</exception>
    public static void PReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> slopes, int features, Span<T> dx, Span<T> dslopes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsEmpty)
            SpanChecks.SameLength(x, nameof(x), dy, nameof(dy));
        else
            SpanChecks.Map(x, nameof(x), dy, nameof(dy), dx, nameof(dx));
        ValidatePRelu(x, slopes, features);
        SpanChecks.SameLength(slopes, nameof(slopes), dslopes, nameof(dslopes));
        SpanChecks.Disjoint(slopes, nameof(slopes), dx, nameof(dx));
        SpanChecks.Disjoint(dx, nameof(dx), dslopes, nameof(dslopes));
        SpanChecks.Disjoint(x, nameof(x), dslopes, nameof(dslopes));
        SpanChecks.Disjoint(dy, nameof(dy), dslopes, nameof(dslopes));
        SpanChecks.Disjoint(slopes, nameof(slopes), dslopes, nameof(dslopes));

        // The slope gradient first: dx may overwrite x or dy.
        if (slopes.Length == 1)
        {
            // Σ over all elements, in chunks through a small stack buffer so that nothing is allocated.
            Span<T> chunk = stackalloc T[256];
            T sum = T.Zero;
            for (var c = new ChunkWalk(x.Length, chunk.Length); c.MoveNext();)
            {
                Span<T> g = chunk[..c.Length];
                Elementwise.Map(x.Slice(c.Start, c.Length), dy.Slice(c.Start, c.Length), g, default(PReluSlopeGradientOperator<T>));
                sum += Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(g, default);
            }
            dslopes[0] += sum;
            if (dx.IsEmpty)
                return;
            Elementwise.Map(x, dy, dx, new LeakyReluBackwardOperator<T>(slopes[0]));
            return;
        }
        for (int start = 0; start < x.Length; start += features)
            Elementwise.Map(x.Slice(start, features), dy.Slice(start, features), dslopes, dslopes, default(PReluSlopeGradientOperator<T>));
        if (dx.IsEmpty)
            return;
        var op = new LeakyReluBackwardOperator<T>(T.Zero);
        for (int start = 0; start < x.Length; start += features)
            Elementwise.Map(x.Slice(start, features), dy.Slice(start, features), slopes, dx.Slice(start, features), op);
    }

    private static void ValidatePRelu<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> slopes, int features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (x.Length % features != 0)
            throw new ArgumentException($"x has length {x.Length}, not a multiple of features = {features}.", nameof(x));
        if (slopes.Length != 1 && slopes.Length != features)
            throw new ArgumentException($"slopes has length {slopes.Length}; it must be 1 (shared) or features = {features}.", nameof(slopes));
    }
}

/// <summary>x &gt; 0 ? 0 : x·dy (binary); acc + (x &gt; 0 ? 0 : x·dy) (ternary, over (x, dy, acc)).</summary>
internal readonly struct PReluSlopeGradientOperator<T> : IBinaryOperator<T>, ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T dy) => x > T.Zero ? T.Zero : x * dy;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Vector128.AndNot(x * dy, Vector128.GreaterThan(x, Vector128<T>.Zero));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.AndNot(x * dy, Vector256.GreaterThan(x, Vector256<T>.Zero));
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Vector512.AndNot(x * dy, Vector512.GreaterThan(x, Vector512<T>.Zero));

    public T Invoke(T x, T dy, T acc) => acc + Invoke(x, dy);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => acc + Invoke(x, dy);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => acc + Invoke(x, dy);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy, Vector512<T> acc) => acc + Invoke(x, dy);
}
