using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// Element-wise losses, mean-reduced as PyTorch's default, each in one pass that reads the prediction and the target
/// once, writes the gradient and sums the loss terms in double (float terms widened), whatever the length.
/// </summary>
/// <remarks>
/// <para>The gradient may be exactly the prediction span (in place) or disjoint from it; partial overlap, or any
/// overlap with the target, throws. Results may differ across instruction sets in the last bits.</para>
/// <para>Rows: with the prediction seen as <c>[rows, features]</c>, an element's gradient is its row's gradient alone
/// (the kernel on that row, rows = 1: a function of the element's p and t and of features) times 1/rows, rounded
/// once, so a row's gradient bits do not depend on the batch's size or on the row's place in it, on any one
/// instruction-set path: every span, however short, goes through the same vector lanes. Each element's loss term
/// is likewise a function of its p and t alone; the terms' sum is taken in an order that depends on the length,
/// so the mean's last bits may change with the batch size.</para>
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para>
/// </remarks>
public static class LossKernels
{
    /// <summary>Mean squared error over one row: <c>L = Σ (p − t)² / N</c>, <c>gradient = (p − t)·(2/N)</c>.</summary>
    /// <remarks>As <see cref="MeanSquaredError{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/> with rows = 1.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">p, N elements (at least 1).</param>
    /// <param name="target">t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or <paramref name="gradient"/> overlaps the target or part of the prediction.</exception>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
        => MeanSquaredError(prediction, target, gradient, 1);

    /// <summary>Mean squared error over [rows, F]: <c>L = Σ (p − t)² / N</c>, <c>gradient = ((p − t)·(2/F))·(1/rows)</c>, N = rows·F.</summary>
    /// <remarks>Each term (p − t)² is taken in T before the double sum: in float a difference past about 1.8e19 gives +∞, as
    /// PyTorch's float MSE. NaN in p or t gives NaN. The gradient is 2(p − t)/N, scaled per row and then per batch so
    /// that a row's bits are its bits alone times 1/rows (the class remarks).</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">p, N elements (at least 1).</param>
    /// <param name="target">t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <param name="rows">Rows of the prediction (at least 1, dividing N).</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, <paramref name="gradient"/> overlaps the target or part of the prediction, or <paramref name="rows"/> does not divide N.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is below 1.</exception>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = Check(prediction, target, gradient, rows);
        var op = new MseOperator<T>(T.CreateTruncating(2.0 / features), InverseOf<T>(rows));
        return T.CreateTruncating(Elementwise.MapSum(prediction, target, gradient, op) / prediction.Length);
    }

    /// <summary>Binary cross-entropy on logits over one row: <c>L = Σ ℓ / N</c>, <c>gradient = (σ(p) − t)/N</c>.</summary>
    /// <remarks>As <see cref="BinaryCrossEntropyWithLogits{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/> with rows = 1.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">The logits p, N elements (at least 1).</param>
    /// <param name="target">The target probabilities t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or <paramref name="gradient"/> overlaps the target or part of the prediction.</exception>
    public static T BinaryCrossEntropyWithLogits<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
        => BinaryCrossEntropyWithLogits(prediction, target, gradient, 1);

    /// <summary>Binary cross-entropy on logits over [rows, F], stable: <c>ℓ = max(p, 0) − p·t + log(1 + e^(−|p|))</c>, <c>L = Σ ℓ / N</c>, <c>gradient = ((σ(p) − t)·(1/F))·(1/rows)</c>, N = rows·F.</summary>
    /// <remarks>Finite for any finite logit; log(1 + e) is taken as log(u)·e/(u − 1) with u = 1 + e, accurate where e is far below 1.
    /// An infinite logit gives +∞ where the loss's limit is infinite (p = +∞ with t &lt; 1, as PyTorch; p = −∞ with t &gt; 0, where
    /// PyTorch 1.13 gives NaN) and NaN where the limit is 0 (t = 1 at +∞, t = 0 at −∞: 0·∞, as PyTorch); NaN in p or t gives NaN.
    /// The gradient is (σ(p) − t)/N, scaled per row and then per batch (the class remarks).</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">The logits p, N elements (at least 1).</param>
    /// <param name="target">The target probabilities t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <param name="rows">Rows of the prediction (at least 1, dividing N).</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, <paramref name="gradient"/> overlaps the target or part of the prediction, or <paramref name="rows"/> does not divide N.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is below 1.</exception>
    public static T BinaryCrossEntropyWithLogits<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = Check(prediction, target, gradient, rows);
        var op = new BceWithLogitsOperator<T>(InverseOf<T>(features), InverseOf<T>(rows));
        return T.CreateTruncating(Elementwise.MapSum(prediction, target, gradient, op) / prediction.Length);
    }

    /// <summary>Huber loss over one row: <c>L = Σ ℓ / N</c>, <c>gradient = clamp(p − t, −δ, δ)/N</c>.</summary>
    /// <remarks>As <see cref="Huber{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, T, int)"/> with rows = 1.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">p, N elements (at least 1).</param>
    /// <param name="target">t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <param name="delta">δ, where the loss turns linear (positive).</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or <paramref name="gradient"/> overlaps the target or part of the prediction.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive.</exception>
    public static T Huber<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, T delta) where T : unmanaged, IFloatingPointIeee754<T>
        => Huber(prediction, target, gradient, delta, 1);

    /// <summary>Huber loss over [rows, F]: with d = p − t, <c>ℓ = ½d²</c> if |d| &lt; δ, else <c>δ·(|d| − ½δ)</c>; <c>L = Σ ℓ / N</c>, <c>gradient = (clamp(d, −δ, δ)·(1/F))·(1/rows)</c>, N = rows·F.</summary>
    /// <remarks>Terms are taken in T (linear beyond δ, so finite for any finite d whose δ·|d| is); NaN in p or t gives NaN
    /// in the loss and that element's gradient, as PyTorch. The gradient is clamp(d, −δ, δ)/N, scaled per row and then
    /// per batch (the class remarks).</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="prediction">p, N elements (at least 1).</param>
    /// <param name="target">t, N elements.</param>
    /// <param name="gradient">∂L/∂p, N elements, overwritten; may be <paramref name="prediction"/> itself.</param>
    /// <param name="delta">δ, where the loss turns linear (positive).</param>
    /// <param name="rows">Rows of the prediction (at least 1, dividing N).</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, <paramref name="gradient"/> overlaps the target or part of the prediction, or <paramref name="rows"/> does not divide N.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive, or <paramref name="rows"/> is below 1.</exception>
    public static T Huber<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, T delta, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = Check(prediction, target, gradient, rows);
        if (!(delta > T.Zero))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber δ must be positive.");
        var op = new HuberOperator<T>(delta, InverseOf<T>(features), InverseOf<T>(rows));
        return T.CreateTruncating(Elementwise.MapSum(prediction, target, gradient, op) / prediction.Length);
    }

    private static T InverseOf<T>(int n) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.CreateTruncating(n);

    // Returns the features per row.
    private static int Check<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int rows)
    {
        if (prediction.IsEmpty)
            throw new ArgumentException("The prediction is empty.", nameof(prediction));
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (prediction.Length % rows != 0)
            throw new ArgumentException($"The prediction's {prediction.Length} elements are not {rows} rows of equal length.", nameof(rows));
        SpanChecks.SameLength(prediction, nameof(prediction), target, nameof(target));
        SpanChecks.SameLength(prediction, nameof(prediction), gradient, nameof(gradient));
        SpanChecks.IdenticalOrDisjoint(prediction, nameof(prediction), gradient, nameof(gradient));
        SpanChecks.Disjoint(target, nameof(target), gradient, nameof(gradient));
        return prediction.Length / rows;
    }
}

/// <summary>ℓ = d·d, gradient = (d·scale)·inverseRows, d = p − t (scale = 2/features)</summary>
internal readonly struct MseOperator<T>(T scale, T inverseRows) : ILossOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;

    public T Invoke(T p, T t, out T gradient)
    {
        T d = p - t;
        gradient = d * scale * inverseRows;
        return d * d;
    }

    public Vector128<T> Invoke(Vector128<T> p, Vector128<T> t, out Vector128<T> gradient) => Compute<Width128<T>, Vector128<T>>(p, t, out gradient);
    public Vector256<T> Invoke(Vector256<T> p, Vector256<T> t, out Vector256<T> gradient) => Compute<Width256<T>, Vector256<T>>(p, t, out gradient);
    public Vector512<T> Invoke(Vector512<T> p, Vector512<T> t, out Vector512<T> gradient) => Compute<Width512<T>, Vector512<T>>(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVector Compute<TWidth, TVector>(TVector p, TVector t, out TVector gradient) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector d = TWidth.Subtract(p, t);
        gradient = TWidth.Multiply(TWidth.Multiply(d, TWidth.Broadcast(scale)), TWidth.Broadcast(inverseRows));
        return TWidth.Multiply(d, d);
    }
}

/// <summary>ℓ = max(p, 0) − p·t + log(1 + e) (as (1 − t)·p or −p·t), gradient = ((σ(p) − t)·inverseFeatures)·inverseRows, e = e^(−|p|)</summary>
internal readonly struct BceWithLogitsOperator<T>(T inverseFeatures, T inverseRows) : ILossOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();

    public T Invoke(T p, T t, out T gradient)
    {
        T e = T.Exp(-T.Abs(p)), u = T.One + e; // e in (0, 1]: never overflows
        gradient = ((p >= T.Zero ? T.One : e) / u - t) * inverseFeatures * inverseRows;
        // max(p, 0) − p·t as (1 − t)·p or −p·t: ∞ (not ∞ − ∞) at an infinite logit whose target is not its own limit
        return (p >= T.Zero ? (T.One - t) * p : -(p * t)) + VectorMath.LogOnePlus(e);
    }

    public Vector128<T> Invoke(Vector128<T> p, Vector128<T> t, out Vector128<T> gradient) => Compute<Width128<T>, Vector128<T>>(p, t, out gradient);
    public Vector256<T> Invoke(Vector256<T> p, Vector256<T> t, out Vector256<T> gradient) => Compute<Width256<T>, Vector256<T>>(p, t, out gradient);
    public Vector512<T> Invoke(Vector512<T> p, Vector512<T> t, out Vector512<T> gradient) => Compute<Width512<T>, Vector512<T>>(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVector Compute<TWidth, TVector>(TVector p, TVector t, out TVector gradient) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector one = TWidth.Broadcast(T.One), e = TWidth.Exp(TWidth.Negate(TWidth.Abs(p))), u = TWidth.Add(one, e);
        // p < 0 picks the negative branch; p ≥ 0 (−0 included) and NaN the positive one, whose results are NaN as well
        TVector negative = TWidth.LessThan(p, TWidth.Broadcast(T.Zero));
        gradient = TWidth.Multiply(TWidth.Multiply(TWidth.Subtract(TWidth.Divide(TWidth.Select(negative, e, one), u), t), TWidth.Broadcast(inverseFeatures)),
            TWidth.Broadcast(inverseRows));
        // log(1 + e) = log(u)·e/(u − 1): u − 1 is exact, and the ratio undoes u's rounding; e itself where u rounds to 1 (u ≥ 1)
        TVector log1p = TWidth.Select(TWidth.GreaterThan(u, one), TWidth.Multiply(TWidth.Log(u), TWidth.Divide(e, TWidth.Subtract(u, one))), e);
        TVector linear = TWidth.Select(negative, TWidth.Negate(TWidth.Multiply(p, t)), TWidth.Multiply(TWidth.Subtract(one, t), p));
        return TWidth.Add(linear, log1p);
    }
}

/// <summary>
/// ℓ = m·(|d| − ½m) with m = min(|d|, δ), which is ½d² if |d| &lt; δ, else δ·(|d| − ½δ), with the same roundings (½|d|
/// and |d| − ½|d| are exact where the product does not underflow to 0); gradient = (clamp(d, −δ, δ)·inverseFeatures)·inverseRows,
/// d = p − t, the clamp taken as m with d's sign (the same bits, NaN included)
/// </summary>
internal readonly struct HuberOperator<T>(T delta, T inverseFeatures, T inverseRows) : ILossOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Half => T.CreateTruncating(0.5);

    public static bool Vectorizable => true;

    public T Invoke(T p, T t, out T gradient)
    {
        T d = p - t, a = T.Abs(d), m = T.Min(a, delta);
        gradient = T.CopySign(m, d) * inverseFeatures * inverseRows;
        return m * (a - Half * m);
    }

    public Vector128<T> Invoke(Vector128<T> p, Vector128<T> t, out Vector128<T> gradient) => Compute<Width128<T>, Vector128<T>>(p, t, out gradient);
    public Vector256<T> Invoke(Vector256<T> p, Vector256<T> t, out Vector256<T> gradient) => Compute<Width256<T>, Vector256<T>>(p, t, out gradient);
    public Vector512<T> Invoke(Vector512<T> p, Vector512<T> t, out Vector512<T> gradient) => Compute<Width512<T>, Vector512<T>>(p, t, out gradient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVector Compute<TWidth, TVector>(TVector p, TVector t, out TVector gradient) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        // One min, shared by the term and the gradient: min/max and multiply appear to share two pipes on the cores
        // measured (a clamp for each, four min/max, left Huber 0.82-0.94x the two-branch form with its one clamp); the
        // sign is a bitwise operation, which any pipe runs. NaN lanes of |d| pass through the min, and take d's sign back.
        TVector d = TWidth.Subtract(p, t), a = TWidth.Abs(d), m = TWidth.AtMost(a, TWidth.Broadcast(delta));
        gradient = TWidth.Multiply(TWidth.Multiply(TWidth.CopySign(m, d), TWidth.Broadcast(inverseFeatures)), TWidth.Broadcast(inverseRows));
        return TWidth.Multiply(m, TWidth.Subtract(a, TWidth.Multiply(TWidth.Broadcast(Half), m)));
    }
}
