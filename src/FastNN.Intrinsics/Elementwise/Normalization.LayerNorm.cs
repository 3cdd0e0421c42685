using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>Normalization layers' kernels over [rows, features] row-major matrices.</summary>
/// <remarks>Results may differ across instruction sets in the last bits.
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para></remarks>
public static partial class Normalization
{
    /// <summary>
    /// Layer normalization of each row, as PyTorch's <c>nn.LayerNorm(features)</c>: <c>μ = Σx/f</c>,
    /// <c>rstd = 1/√(Σ(x − μ)²/f + ε)</c>, <c>y = ((x − μ)·rstd)·γ + β</c>, in three passes over the row (sum,
    /// squared deviations, output) that write y once. A row whose spread is within μ's rounding (a constant row) takes
    /// μ again as μ + Σ(x − μ)/f and its variance around that, two passes more: a constant row gives μ = x and y = β
    /// exactly, where PyTorch's rounded Σx/f leaves an error that rstd ≈ 1/√ε magnifies.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The output, [rows, features], overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="mean">μ of each row, [rows], overwritten (for the backward pass).</param>
    /// <param name="rstd">1/√(σ² + ε) of each row, [rows], overwritten.</param>
    /// <param name="x">The input, [rows, features].</param>
    /// <param name="gamma">γ, [features].</param>
    /// <param name="beta">β, [features].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="features">Features per row.</param>
    /// <param name="eps">ε added to the variance: finite, at least 0 (PyTorch's default is 1e-5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="features"/> is negative, or <paramref name="eps"/> is negative, infinite or NaN.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, <paramref name="y"/> partially overlaps <paramref name="x"/>, or an output
    /// (<paramref name="y"/> other than in place, <paramref name="mean"/>, <paramref name="rstd"/>) shares memory with another argument.</exception>
    public static void LayerNormForward<T>(Span<T> y, Span<T> mean, Span<T> rstd, ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
        int rows, int features, T eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, features);
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        PerRow(mean, nameof(mean), rows);
        PerRow(rstd, nameof(rstd), rows);
        PerColumn(gamma, nameof(gamma), features);
        PerColumn(beta, nameof(beta), features);
        if (!(eps >= T.Zero) || !T.IsFinite(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be finite and non-negative.");
        // Each row's outputs are written before the next row is read: none may share memory with what is read.
        ReadsAfterWrites(x, gamma, beta, mean, nameof(mean));
        ReadsAfterWrites(x, gamma, beta, rstd, nameof(rstd));
        SpanChecks.Disjoint(gamma, nameof(gamma), y, nameof(y));
        SpanChecks.Disjoint(beta, nameof(beta), y, nameof(y));
        SpanChecks.Disjoint<T>(mean, nameof(mean), y, nameof(y));
        SpanChecks.Disjoint<T>(rstd, nameof(rstd), y, nameof(y));
        SpanChecks.Disjoint<T>(mean, nameof(mean), rstd, nameof(rstd));
        T n = T.CreateTruncating(features);
        T nearConstant = NearConstant<T>(features);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * features, features);
            // μ = Σx/f;  σ² = Σ(x − μ)²/f;  rstd = 1/√(σ² + ε);  y = ((x − μ)·rstd)·γ + β
            T m = Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(row, default) / n;
            T v = Elementwise.Aggregate<T, SquaredDeviationOperator<T>, AddOperator<T>>(row, new SquaredDeviationOperator<T>(m)) / n;
            // A row whose spread is within μ's rounding (|x − μ| ≤ f·ε·|μ|, as a constant row) is taken again around
            // μ + Σ(x − μ)/f, which takes that rounding back: a constant row's deviations are one exact d, so μ = x and
            // y = β exactly, where μ's error times rstd ≈ 1/√ε reached γ·x̂ ≈ 5e-7. Other rows keep the plain mean: a
            // shift to x₀ overflowed where the row did not (2e38f and three 1s) and put ε·f·x₀ into an outlier's mean.
            if (v <= m * m * nearConstant)
            {
                T correction = Elementwise.Aggregate<T, DeviationOperator<T>, AddOperator<T>>(row, new DeviationOperator<T>(m)) / n;
                if (T.IsFinite(correction))
                {
                    m += correction;
                    v = Elementwise.Aggregate<T, SquaredDeviationOperator<T>, AddOperator<T>>(row, new SquaredDeviationOperator<T>(m)) / n;
                }
            }
            T s = T.One / T.Sqrt(v + eps);
            mean[r] = m;
            rstd[r] = s;
            Elementwise.Map(row, gamma, beta, y.Slice(r * features, features), new NormalizeAffineOperator<T>(m, s));
        }
    }

    // (count·ε)², ε the machine epsilon: a set of count values whose variance is within mean²·(count·ε)² spreads no
    // more than the rounding of its mean, as a constant set does; both normalizations then take its mean again.
    private static T NearConstant<T>(int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T spread = T.CreateTruncating(count) * (T.BitIncrement(T.One) - T.One);
        return spread * spread;
    }

    /// <summary>
    /// Layer normalization's gradients from the forward pass's statistics: with <c>x̂ = (x − μ)·rstd</c> and
    /// <c>dx̂ = dy·γ</c>, <c>dγ += Σ_rows dy·x̂</c>, <c>dβ += Σ_rows dy</c> (ACCUMULATED) and
    /// <c>dx = ((x̂·(−mean(dx̂·x̂)) + dx̂) − mean(dx̂))·rstd</c> (overwritten; skipped when <paramref name="dx"/> is empty),
    /// in two passes over each row, as llm.c's <c>layernorm_backward</c>: dγ, dβ and the two row sums, then dx.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dx">The input gradient, [rows, features], overwritten, or empty for none; may be <paramref name="dy"/> itself.</param>
    /// <param name="dgamma">dγ, [features], accumulated into.</param>
    /// <param name="dbeta">dβ, [features], accumulated into.</param>
    /// <param name="dy">The output gradient, [rows, features].</param>
    /// <param name="x">The forward input, [rows, features].</param>
    /// <param name="mean">μ of each row from <see cref="LayerNormForward{T}"/>.</param>
    /// <param name="rstd">rstd of each row from <see cref="LayerNormForward{T}"/>.</param>
    /// <param name="gamma">γ, [features].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="features">Features per row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="features"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, <paramref name="dx"/> partially overlaps <paramref name="dy"/>, or an output
    /// (<paramref name="dx"/> other than in place on <paramref name="dy"/>, <paramref name="dgamma"/>, <paramref name="dbeta"/>) shares memory with another argument.</exception>
    public static void LayerNormBackward<T>(Span<T> dx, Span<T> dgamma, Span<T> dbeta, ReadOnlySpan<T> dy, ReadOnlySpan<T> x,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd, ReadOnlySpan<T> gamma, int rows, int features) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, features);
        SpanChecks.SameLength(x, nameof(x), dy, nameof(dy));
        PerRow(mean, nameof(mean), rows);
        PerRow(rstd, nameof(rstd), rows);
        PerColumn(gamma, nameof(gamma), features);
        PerColumn(dgamma, nameof(dgamma), features);
        PerColumn(dbeta, nameof(dbeta), features);
        if (!dx.IsEmpty)
        {
            SpanChecks.Map(dy, nameof(dy), dx, nameof(dx));
            SpanChecks.Disjoint<T>(x, nameof(x), dx, nameof(dx));
            ReadsAfterWrites(mean, rstd, gamma, dx, nameof(dx));
        }
        Outputs(x, dy, dx, dgamma, nameof(dgamma));
        Outputs(x, dy, dx, dbeta, nameof(dbeta));
        ReadsAfterWrites(mean, rstd, gamma, dgamma, nameof(dgamma));
        ReadsAfterWrites(mean, rstd, gamma, dbeta, nameof(dbeta));
        SpanChecks.Disjoint<T>(dgamma, nameof(dgamma), dbeta, nameof(dbeta));
        T n = T.CreateTruncating(features);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> dyRow = dy.Slice(r * features, features), xRow = x.Slice(r * features, features);
            // dγ += dy·x̂;  dβ += dy;  Σdx̂, Σdx̂·x̂
            var sums = new LayerNormGradientSums<T>(ref Ref(dyRow), ref Ref(xRow), ref Ref(gamma), ref MemoryMarshal.GetReference(dgamma),
                ref MemoryMarshal.GetReference(dbeta), mean[r], rstd[r]);
            Elementwise.Sweep<T, LayerNormGradientSums<T>>(ref sums, features);
            if (dx.IsEmpty)
                continue;
            // dx = ((x̂·(−mean(dx̂·x̂)) + dx̂) − mean(dx̂))·rstd
            Elementwise.Map(xRow, dyRow, gamma, dx.Slice(r * features, features),
                new LayerNormInputGradientOperator<T>(mean[r], rstd[r], sums.SumDxHatXHat / n, sums.SumDxHat / n));
        }
    }

    // An output of the backward pass must share no memory with the matrices.
    private static void Outputs<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> dx, ReadOnlySpan<T> output, string name)
    {
        SpanChecks.Disjoint(x, nameof(x), output, name);
        SpanChecks.Disjoint(dy, nameof(dy), output, name);
        SpanChecks.Disjoint(dx, nameof(dx), output, name);
    }

    // An output written row by row must share no memory with three spans read on every row.
    private static void ReadsAfterWrites<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, ReadOnlySpan<T> output, string name,
        [CallerArgumentExpression(nameof(a))] string aName = "", [CallerArgumentExpression(nameof(b))] string bName = "",
        [CallerArgumentExpression(nameof(c))] string cName = "")
    {
        SpanChecks.Disjoint(a, aName, output, name);
        SpanChecks.Disjoint(b, bName, output, name);
        SpanChecks.Disjoint(c, cName, output, name);
    }

    private static void PerRow<T>(ReadOnlySpan<T> span, string name, int rows)
    {
        if (span.Length != rows)
            throw new ArgumentException($"{name} has length {span.Length}; it needs one element per row, {rows}.", name);
    }
}

/// <summary>x − shift</summary>
internal readonly struct DeviationOperator<T>(T shift) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x - shift;
    public Vector128<T> Invoke(Vector128<T> x) => x - Vector128.Create(shift);
    public Vector256<T> Invoke(Vector256<T> x) => x - Vector256.Create(shift);
    public Vector512<T> Invoke(Vector512<T> x) => x - Vector512.Create(shift);
}

/// <summary>(x − mean)²</summary>
internal readonly struct SquaredDeviationOperator<T>(T mean) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => (x - mean) * (x - mean);
    public Vector128<T> Invoke(Vector128<T> x) { Vector128<T> d = x - Vector128.Create(mean); return d * d; }
    public Vector256<T> Invoke(Vector256<T> x) { Vector256<T> d = x - Vector256.Create(mean); return d * d; }
    public Vector512<T> Invoke(Vector512<T> x) { Vector512<T> d = x - Vector512.Create(mean); return d * d; }
}

/// <summary>((x − mean)·rstd)·γ + β over (x, γ, β)</summary>
internal readonly struct NormalizeAffineOperator<T>(T mean, T rstd) : ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T gamma, T beta) => (x - mean) * rstd * gamma + beta;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> gamma, Vector128<T> beta) => (x - Vector128.Create(mean)) * Vector128.Create(rstd) * gamma + beta;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> gamma, Vector256<T> beta) => (x - Vector256.Create(mean)) * Vector256.Create(rstd) * gamma + beta;
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> gamma, Vector512<T> beta) => (x - Vector512.Create(mean)) * Vector512.Create(rstd) * gamma + beta;
}

/// <summary>
/// Over one row: <c>dγ += dy·x̂</c>, <c>dβ += dy</c>, and <see cref="SumDxHat"/> = Σdx̂, <see cref="SumDxHatXHat"/> = Σdx̂·x̂ with
/// <c>x̂ = (x − mean)·rstd</c>, <c>dx̂ = dy·γ</c>: each input read once.
/// </summary>
internal ref struct LayerNormGradientSums<T>(ref T dy, ref T x, ref T gamma, ref T dgamma, ref T dbeta, T mean, T rstd) : ISpanKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private ref T _dy = ref dy, _x = ref x, _gamma = ref gamma, _dgamma = ref dgamma, _dbeta = ref dbeta;

    public T SumDxHat { get; private set; }

    public T SumDxHatXHat { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint start, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector m = TWidth.Broadcast(mean), s = TWidth.Broadcast(rstd);
        // Two pairs of sums, so that each sum's add waits on the one two vectors back, not on the last.
        TVector a0 = TWidth.Broadcast(T.Zero), b0 = a0, a1 = a0, b1 = a0;
        nuint count = (nuint)TWidth.Count, i = start;
        for (; i + 2 * count <= end; i += 2 * count)
        {
            Step<TWidth, TVector>(i, m, s, ref a0, ref b0);
            Step<TWidth, TVector>(i + count, m, s, ref a1, ref b1);
        }
        if (i < end)
            Step<TWidth, TVector>(i, m, s, ref a0, ref b0);
        SumDxHat += TWidth.Reduce<AddOperator<T>>(TWidth.Add(a0, a1));
        SumDxHatXHat += TWidth.Reduce<AddOperator<T>>(TWidth.Add(b0, b1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Step<TWidth, TVector>(nuint i, TVector m, TVector s, ref TVector sumDxHat, ref TVector sumDxHatXHat)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector d = TWidth.Load(ref _dy, i);
        TVector xHat = TWidth.Multiply(TWidth.Subtract(TWidth.Load(ref _x, i), m), s);
        TVector dxHat = TWidth.Multiply(d, TWidth.Load(ref _gamma, i));
        TWidth.Store(TWidth.MultiplyAdd(d, xHat, TWidth.Load(ref _dgamma, i)), ref _dgamma, i);
        TWidth.Store(TWidth.Add(TWidth.Load(ref _dbeta, i), d), ref _dbeta, i);
        sumDxHat = TWidth.Add(sumDxHat, dxHat);
        sumDxHatXHat = TWidth.MultiplyAdd(dxHat, xHat, sumDxHatXHat);
    }
}

/// <summary>((x̂·(−meanDxHatXHat) + dy·γ) − meanDxHat)·rstd with x̂ = (x − mean)·rstd, over (x, dy, γ)</summary>
internal readonly struct LayerNormInputGradientOperator<T>(T mean, T rstd, T meanDxHatXHat, T meanDxHat) : ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T dy, T gamma) => ((x - mean) * rstd * -meanDxHatXHat + dy * gamma - meanDxHat) * rstd;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> gamma) =>
        ((x - Vector128.Create(mean)) * Vector128.Create(rstd) * Vector128.Create(-meanDxHatXHat) + dy * gamma - Vector128.Create(meanDxHat)) * Vector128.Create(rstd);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> gamma) =>
        ((x - Vector256.Create(mean)) * Vector256.Create(rstd) * Vector256.Create(-meanDxHatXHat) + dy * gamma - Vector256.Create(meanDxHat)) * Vector256.Create(rstd);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy, Vector512<T> gamma) =>
        ((x - Vector512.Create(mean)) * Vector512.Create(rstd) * Vector512.Create(-meanDxHatXHat) + dy * gamma - Vector512.Create(meanDxHat)) * Vector512.Create(rstd);
}
