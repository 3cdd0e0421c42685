using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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
    /// squared deviations, output) that write y once.
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
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * features, features);
            // μ = Σx/f;  rstd = 1/√(Σ(x − μ)²/f + ε);  y = ((x − μ)·rstd)·γ + β
            T m = Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(row, default) / n;
            T s = T.One / T.Sqrt(Elementwise.Aggregate<T, SquaredDeviationOperator<T>, AddOperator<T>>(row, new SquaredDeviationOperator<T>(m)) / n + eps);
            mean[r] = m;
            rstd[r] = s;
            Elementwise.Map(row, gamma, beta, y.Slice(r * features, features), new NormalizeAffineOperator<T>(m, s));
        }
    }

    /// <summary>
    /// Layer normalization's gradients from the forward pass's statistics: with <c>x̂ = (x − μ)·rstd</c> and
    /// <c>dx̂ = dy·γ</c>, <c>dγ += Σ_rows dy·x̂</c>, <c>dβ += Σ_rows dy</c> (ACCUMULATED) and
    /// <c>dx = ((x̂·(−mean(dx̂·x̂)) + dx̂) − mean(dx̂))·rstd</c> (overwritten; skipped when <paramref name="dx"/> is empty).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dx">The input gradient, [rows, features], overwritten, or empty for none; may be <paramref name="dy"/> itself.</param>
    /// <param name="dgamma">dγ, [features], accumulated into.</param>
    /// <param name="dbeta">dβ, [features], accumulated into.</param>
    /// <param name="workspace">2·features elements of scratch (x̂ and dx̂ of one row).</param>
    /// <param name="dy">The output gradient, [rows, features].</param>
    /// <param name="x">The forward input, [rows, features].</param>
    /// <param name="mean">μ of each row from <see cref="LayerNormForward{T}"/>.</param>
    /// <param name="rstd">rstd of each row from <see cref="LayerNormForward{T}"/>.</param>
    /// <param name="gamma">γ, [features].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="features">Features per row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="features"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, <paramref name="dx"/> partially overlaps <paramref name="dy"/>, or an output
    /// (<paramref name="dx"/> other than in place on <paramref name="dy"/>, <paramref name="dgamma"/>, <paramref name="dbeta"/>, <paramref name="workspace"/>)
    /// shares memory with another argument.</exception>
    public static void LayerNormBackward<T>(Span<T> dx, Span<T> dgamma, Span<T> dbeta, Span<T> workspace, ReadOnlySpan<T> dy, ReadOnlySpan<T> x,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd, ReadOnlySpan<T> gamma, int rows, int features) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, features);
        SpanChecks.SameLength(x, nameof(x), dy, nameof(dy));
        PerRow(mean, nameof(mean), rows);
        PerRow(rstd, nameof(rstd), rows);
        PerColumn(gamma, nameof(gamma), features);
        PerColumn(dgamma, nameof(dgamma), features);
        PerColumn(dbeta, nameof(dbeta), features);
        if (workspace.Length != 2 * features)
            throw new ArgumentException($"workspace has length {workspace.Length}; it needs 2·features = {2 * features}.", nameof(workspace));
        if (!dx.IsEmpty)
        {
            SpanChecks.Map(dy, nameof(dy), dx, nameof(dx));
            SpanChecks.Disjoint<T>(x, nameof(x), dx, nameof(dx));
            ReadsAfterWrites(mean, rstd, gamma, dx, nameof(dx));
        }
        Outputs(x, dy, dx, dgamma, nameof(dgamma));
        Outputs(x, dy, dx, dbeta, nameof(dbeta));
        Outputs(x, dy, dx, workspace, nameof(workspace));
        ReadsAfterWrites(mean, rstd, gamma, dgamma, nameof(dgamma));
        ReadsAfterWrites(mean, rstd, gamma, dbeta, nameof(dbeta));
        ReadsAfterWrites(mean, rstd, gamma, workspace, nameof(workspace));
        SpanChecks.Disjoint<T>(dgamma, nameof(dgamma), dbeta, nameof(dbeta));
        SpanChecks.Disjoint<T>(dgamma, nameof(dgamma), workspace, nameof(workspace));
        SpanChecks.Disjoint<T>(dbeta, nameof(dbeta), workspace, nameof(workspace));
        Span<T> xHat = workspace[..features], dxHat = workspace[features..];
        T n = T.CreateTruncating(features);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> dyRow = dy.Slice(r * features, features);
            // x̂ = (x − μ)·rstd;  dγ += dy·x̂;  dβ += dy
            Elementwise.Map(x.Slice(r * features, features), xHat, new CenterScaleOperator<T>(mean[r], rstd[r]));
            TensorPrimitives.MultiplyAdd(dyRow, xHat, dgamma, dgamma);
            TensorPrimitives.Add(dbeta, dyRow, dbeta);
            if (dx.IsEmpty)
                continue;
            // dx̂ = dy·γ;  dx = ((x̂·(−mean(dx̂·x̂)) + dx̂) − mean(dx̂))·rstd
            TensorPrimitives.Multiply(dyRow, gamma, dxHat);
            T meanDxHat = TensorPrimitives.Sum<T>(dxHat) / n;
            T meanDxHatXHat = TensorPrimitives.Dot<T>(dxHat, xHat) / n;
            Elementwise.Map(xHat, dxHat, dx.Slice(r * features, features), new LayerNormInputGradientOperator<T>(meanDxHatXHat, meanDxHat, rstd[r]));
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

/// <summary>(x − mean)²</summary>
internal readonly struct SquaredDeviationOperator<T>(T mean) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => (x - mean) * (x - mean);
    public Vector128<T> Invoke(Vector128<T> x) { Vector128<T> d = x - Vector128.Create(mean); return d * d; }
    public Vector256<T> Invoke(Vector256<T> x) { Vector256<T> d = x - Vector256.Create(mean); return d * d; }
    public Vector512<T> Invoke(Vector512<T> x) { Vector512<T> d = x - Vector512.Create(mean); return d * d; }
}

/// <summary>(x − mean)·rstd</summary>
internal readonly struct CenterScaleOperator<T>(T mean, T rstd) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => (x - mean) * rstd;
    public Vector128<T> Invoke(Vector128<T> x) => (x - Vector128.Create(mean)) * Vector128.Create(rstd);
    public Vector256<T> Invoke(Vector256<T> x) => (x - Vector256.Create(mean)) * Vector256.Create(rstd);
    public Vector512<T> Invoke(Vector512<T> x) => (x - Vector512.Create(mean)) * Vector512.Create(rstd);
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

/// <summary>((x̂·(−meanDxHatXHat) + dx̂) − meanDxHat)·rstd over (x̂, dx̂)</summary>
internal readonly struct LayerNormInputGradientOperator<T>(T meanDxHatXHat, T meanDxHat, T rstd) : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T xHat, T dxHat) => (xHat * -meanDxHatXHat + dxHat - meanDxHat) * rstd;
    public Vector128<T> Invoke(Vector128<T> xHat, Vector128<T> dxHat) => (xHat * Vector128.Create(-meanDxHatXHat) + dxHat - Vector128.Create(meanDxHat)) * Vector128.Create(rstd);
    public Vector256<T> Invoke(Vector256<T> xHat, Vector256<T> dxHat) => (xHat * Vector256.Create(-meanDxHatXHat) + dxHat - Vector256.Create(meanDxHat)) * Vector256.Create(rstd);
    public Vector512<T> Invoke(Vector512<T> xHat, Vector512<T> dxHat) => (xHat * Vector512.Create(-meanDxHatXHat) + dxHat - Vector512.Create(meanDxHat)) * Vector512.Create(rstd);
}
