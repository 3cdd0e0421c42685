using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Normalization
{
    /// <summary>
    /// Batch normalization's statistics, per column of a [rows, cols] matrix: <c>mean[c] = Σ_r x[r, c] / rows</c> and
    /// <c>squaredDeviations[c] = Σ_r (x[r, c] − mean[c])²</c>, in two sweeps (see <see cref="Normalization"/>'s bands).
    /// A column whose spread is within the mean's rounding (a constant column) takes its mean again as
    /// mean + Σ(x − mean)/rows and its deviations around that, two passes down that column more: a constant column gets
    /// its value as its mean and no deviation, as <see cref="LayerNormForward{T}"/> does for a row.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="mean">[cols], overwritten.</param>
    /// <param name="squaredDeviations">[cols], overwritten.</param>
    /// <param name="x">[rows, cols] row-major.</param>
    /// <param name="rows">Rows (at least 1).</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is below 1 or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, or the outputs overlap each other or x.</exception>
    public static void BatchNormStatistics<T>(Span<T> mean, Span<T> squaredDeviations, ReadOnlySpan<T> x, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        PerColumn(mean, nameof(mean), cols);
        PerColumn(squaredDeviations, nameof(squaredDeviations), cols);
        SpanChecks.Disjoint(x, nameof(x), mean, nameof(mean));
        SpanChecks.Disjoint(x, nameof(x), squaredDeviations, nameof(squaredDeviations));
        SpanChecks.Disjoint<T>(mean, nameof(mean), squaredDeviations, nameof(squaredDeviations));
        var sums = new SquaredDeviationStrip<T>(ref Ref(x), ref MemoryMarshal.GetReference(mean), ref MemoryMarshal.GetReference(mean), squares: false, cols);
        ForEachStrip<T, SquaredDeviationStrip<T>>(ref sums, rows, cols);
        System.Numerics.Tensors.TensorPrimitives.Divide(mean, T.CreateTruncating(rows), mean);
        var squares = new SquaredDeviationStrip<T>(ref Ref(x), ref MemoryMarshal.GetReference(mean), ref MemoryMarshal.GetReference(squaredDeviations), squares: true, cols);
        ForEachStrip<T, SquaredDeviationStrip<T>>(ref squares, rows, cols);
        // A column whose spread is within μ's rounding (Σ(x − μ)² ≤ rows·μ²·(rows·ε)², ε the machine epsilon, as a
        // constant column) is taken again around μ + Σ(x − μ)/rows: a constant column's deviations are one exact d, so
        // μ = x and no deviation is left, where 255 rows of 2024.1f summed plainly left d = 0.0044 (36 ulps) for rstd =
        // 1/√(d² + ε) to make x̂ = 0.81 on every row. Exact zeros are skipped: a column of one value summed exactly
        // (ReLU's dead units) has nothing to take back. Other columns keep the plain statistics and their bits.
        T n = T.CreateTruncating(rows), nearConstant = NearConstant<T>(rows);
        for (int c = 0; c < cols; c++)
        {
            T v = squaredDeviations[c] / n;
            if (v != T.Zero && v <= mean[c] * mean[c] * nearConstant)
                Recenter(ref mean[c], ref squaredDeviations[c], x[c..], rows, cols);
        }
    }

    // Column c of x (x starting at its first element): μ += Σ(x − μ)/rows and its squared deviations from that μ, when the
    // correction is finite (a column whose deviations overflow keeps its statistics). The correction is summed in double:
    // a constant column's rows·d is then exact while it fits double's 53 bits (about 2·log2(rows) of them), where
    // float's 24 rounded it: 65,536 rows of −3.7e5f kept a mean 0.06 off. For double this is the sum in T itself. A plain
    // mean that overflowed (100 rows of 1e37f) is replaced by the first row's value to recenter around: from ∞ no
    // correction is finite, and the column stayed at ∞ (x̂ NaN on every row).
    private static void Recenter<T>(ref T mean, ref T squaredDeviations, ReadOnlySpan<T> column, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0, mu = double.CreateTruncating(T.IsFinite(mean) ? mean : column[0]);
        for (int r = 0; r < rows; r++)
            sum += double.CreateTruncating(column[r * cols]) - mu;
        double correction = sum / rows;
        if (!double.IsFinite(correction))
            return;
        mean = T.CreateTruncating(mu + correction);
        T squares = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            T d = column[r * cols] - mean;
            squares += d * d;
        }
        squaredDeviations = squares;
    }

    /// <summary>Batch normalization's output, per column: <c>y[r, c] = (x[r, c] − mean[c])·scale[c] + shift[c]</c>, one pass.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">[rows, cols], overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="x">[rows, cols] row-major.</param>
    /// <param name="mean">[cols].</param>
    /// <param name="scale">[cols]: γ·rstd.</param>
    /// <param name="shift">[cols]: β.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, <paramref name="y"/> partially overlaps x, or a per-column span overlaps y.</exception>
    public static void BatchNormNormalize<T>(Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        PerColumnInput(mean, nameof(mean), y, nameof(y), cols);
        PerColumnInput(scale, nameof(scale), y, nameof(y), cols);
        PerColumnInput(shift, nameof(shift), y, nameof(y), cols);
        var kernel = new NormalizeStrip<T>(ref MemoryMarshal.GetReference(y), ref Ref(x), ref Ref(mean), ref Ref(scale), ref Ref(shift), cols);
        ForEachStrip<T, NormalizeStrip<T>>(ref kernel, rows, cols);
    }

    /// <summary>
    /// Batch normalization's gradient sums, per column: <c>sumDy[c] = Σ_r dy</c> and <c>sumDyXHat[c] = Σ_r dy·x̂</c> with
    /// <c>x̂ = (x − mean[c])·rstd[c]</c> (overwritten; one pass, the sums in registers).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="sumDy">[cols], overwritten.</param>
    /// <param name="sumDyXHat">[cols], overwritten.</param>
    /// <param name="dy">[rows, cols].</param>
    /// <param name="x">[rows, cols], the forward input.</param>
    /// <param name="mean">[cols].</param>
    /// <param name="rstd">[cols]: 1/√(σ² + ε).</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, or an output overlaps another argument.</exception>
    public static void BatchNormGradientSums<T>(Span<T> sumDy, Span<T> sumDyXHat, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        SpanChecks.SameLength(x, nameof(x), dy, nameof(dy));
        PerColumn(mean, nameof(mean), cols);
        PerColumn(rstd, nameof(rstd), cols);
        SumOutput(sumDy, nameof(sumDy), dy, x, mean, rstd, cols);
        SumOutput(sumDyXHat, nameof(sumDyXHat), dy, x, mean, rstd, cols);
        SpanChecks.Disjoint<T>(sumDy, nameof(sumDy), sumDyXHat, nameof(sumDyXHat));
        var kernel = new GradientSumsStrip<T>(ref MemoryMarshal.GetReference(sumDy), ref MemoryMarshal.GetReference(sumDyXHat), ref Ref(dy), ref Ref(x),
            ref Ref(mean), ref Ref(rstd), cols);
        ForEachStrip<T, GradientSumsStrip<T>>(ref kernel, rows, cols);
    }

    /// <summary>
    /// Batch normalization's input gradient in training mode, per column:
    /// <c>dx = ((dy − x̂·meanDyXHat[c]) − meanDy[c])·scale[c]</c> with <c>x̂ = (x − mean[c])·rstd[c]</c>, one pass.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dx">[rows, cols], overwritten; may be <paramref name="dy"/> itself.</param>
    /// <param name="dy">[rows, cols].</param>
    /// <param name="x">[rows, cols], the forward input.</param>
    /// <param name="mean">[cols].</param>
    /// <param name="rstd">[cols].</param>
    /// <param name="meanDyXHat">[cols]: Σ dy·x̂ / rows.</param>
    /// <param name="meanDy">[cols]: Σ dy / rows.</param>
    /// <param name="scale">[cols]: γ·rstd.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, <paramref name="dx"/> partially overlaps dy or overlaps x, or a per-column span overlaps dx.</exception>
    public static void BatchNormInputGradient<T>(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        ReadOnlySpan<T> meanDyXHat, ReadOnlySpan<T> meanDy, ReadOnlySpan<T> scale, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        SpanChecks.Map(dy, nameof(dy), dx, nameof(dx));
        SpanChecks.SameLength(x, nameof(x), dy, nameof(dy));
        SpanChecks.Disjoint<T>(x, nameof(x), dx, nameof(dx));
        PerColumnInput(mean, nameof(mean), dx, nameof(dx), cols);
        PerColumnInput(rstd, nameof(rstd), dx, nameof(dx), cols);
        PerColumnInput(meanDyXHat, nameof(meanDyXHat), dx, nameof(dx), cols);
        PerColumnInput(meanDy, nameof(meanDy), dx, nameof(dx), cols);
        PerColumnInput(scale, nameof(scale), dx, nameof(dx), cols);
        var kernel = new InputGradientStrip<T>(ref MemoryMarshal.GetReference(dx), ref Ref(dy), ref Ref(x), ref Ref(mean), ref Ref(rstd), ref Ref(meanDyXHat),
            ref Ref(meanDy), ref Ref(scale), cols);
        ForEachStrip<T, InputGradientStrip<T>>(ref kernel, rows, cols);
    }

    // A column-sum output must share no memory with the inputs.
    private static void SumOutput<T>(ReadOnlySpan<T> output, string name, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd, int cols)
    {
        PerColumn(output, name, cols);
        SpanChecks.Disjoint(x, nameof(x), output, name);
        SpanChecks.Disjoint(dy, nameof(dy), output, name);
        SpanChecks.Disjoint(mean, nameof(mean), output, name);
        SpanChecks.Disjoint(rstd, nameof(rstd), output, name);
    }

    private static ref T Ref<T>(ReadOnlySpan<T> span) => ref MemoryMarshal.GetReference(span);

    private static void PerColumn<T>(ReadOnlySpan<T> span, string name, int cols)
    {
        if (span.Length != cols)
            throw new ArgumentException($"{name} has length {span.Length}; it needs one element per column, {cols}.", name);
    }

    // A per-column input must not share memory with the matrix written.
    private static void PerColumnInput<T>(ReadOnlySpan<T> span, string name, ReadOnlySpan<T> output, string outputName, int cols)
    {
        PerColumn(span, name, cols);
        SpanChecks.Disjoint(span, name, output, outputName);
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> on every strip of columns (widest vectors first, then one column at a time) of one band
    /// of rows after another (<see cref="BandRows"/>), so that a strip's sums stay in registers over a band without the band's
    /// rows evicting each other from the L1.
    /// </summary>
    private static void ForEachStrip<T, TKernel>(ref TKernel kernel, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IColumnStrip<T>, allows ref struct
    {
        int band = BandRows(cols * Unsafe.SizeOf<T>(), CacheHierarchy.Current.L1.WayBytes);
        // At least one band, empty when rows = 0, so that sums over no rows are stored as zero.
        for (int start = 0; start == 0 || start < rows; start += band)
        {
            nuint first = (nuint)start, end = (nuint)Math.Min(rows, start + band), c = 0, n = (nuint)cols;
            if (Width512<T>.IsAccelerated)
                for (; c + (nuint)Vector512<T>.Count <= n; c += (nuint)Vector512<T>.Count)
                    kernel.Run<Width512<T>, Vector512<T>>(c, first, end);
            if (Width256<T>.IsAccelerated)
                for (; c + (nuint)Vector256<T>.Count <= n; c += (nuint)Vector256<T>.Count)
                    kernel.Run<Width256<T>, Vector256<T>>(c, first, end);
            if (Width128<T>.IsAccelerated)
                for (; c + (nuint)Vector128<T>.Count <= n; c += (nuint)Vector128<T>.Count)
                    kernel.Run<Width128<T>, Vector128<T>>(c, first, end);
            for (; c < n; c++)
                kernel.Run<ScalarWidth<T>, T>(c, first, end);
        }
    }

    /// <summary>
    /// Rows per band: two rows of each L1 set, at most 32. Rows <paramref name="rowBytes"/> apart come back to the same set
    /// every wayBytes / gcd(rowBytes, wayBytes) rows: every row at 1,024 floats (4 KB, the L1's way size on the CPUs seen),
    /// every fourth at 256. Measured on Zen 5 (48 KB, 12 ways): bands of 8 and 32 rows down 1,024-float rows ran 1.3-3x
    /// slower than the row-wise passes they replaced, bands of 2 as fast or faster; at 256 floats 8 and 32 rows were best.
    /// </summary>
    internal static int BandRows(long rowBytes, long wayBytes)
    {
        long a = rowBytes, b = wayBytes;
        while (b != 0)
            (a, b) = (b, a % b);
        return (int)Math.Clamp(2 * (wayBytes / Math.Max(a, 1)), 2, 32);
    }
}

/// <summary>A kernel over one strip of columns (one vector wide) in rows [first, end), its per-column values in registers;
/// sums start at zero in the first band (first = 0) and are added to what the band before stored otherwise.</summary>
internal interface IColumnStrip<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void Run<TWidth, TVector>(nuint c, nuint first, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct;
}

/// <summary>sums += Σx (squares: false) or sums += Σ(x − mean)² (squares: true)</summary>
internal ref struct SquaredDeviationStrip<T>(ref T x, ref T mean, ref T sums, bool squares, int cols) : IColumnStrip<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private ref T _x = ref x, _mean = ref mean, _sums = ref sums;
    private readonly nuint _cols = (nuint)cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint c, nuint first, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector s = first == 0 ? TWidth.Broadcast(T.Zero) : TWidth.Load(ref _sums, c);
        if (squares)
        {
            TVector m = TWidth.Load(ref _mean, c);
            for (nuint i = first * _cols + c; i < end * _cols; i += _cols)
            {
                TVector d = TWidth.Subtract(TWidth.Load(ref _x, i), m);
                s = TWidth.Add(s, TWidth.Multiply(d, d));
            }
        }
        else
        {
            for (nuint i = first * _cols + c; i < end * _cols; i += _cols)
                s = TWidth.Add(s, TWidth.Load(ref _x, i));
        }
        TWidth.Store(s, ref _sums, c);
    }
}

/// <summary>y = (x − mean)·scale + shift</summary>
internal ref struct NormalizeStrip<T>(ref T y, ref T x, ref T mean, ref T scale, ref T shift, int cols) : IColumnStrip<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private ref T _y = ref y, _x = ref x, _mean = ref mean, _scale = ref scale, _shift = ref shift;
    private readonly nuint _cols = (nuint)cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint c, nuint first, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector m = TWidth.Load(ref _mean, c), s = TWidth.Load(ref _scale, c), b = TWidth.Load(ref _shift, c);
        for (nuint i = first * _cols + c; i < end * _cols; i += _cols)
            TWidth.Store(TWidth.Add(TWidth.Multiply(TWidth.Subtract(TWidth.Load(ref _x, i), m), s), b), ref _y, i);
    }
}

/// <summary>sumDy += Σdy, sumDyXHat += Σdy·(x − mean)·rstd</summary>
internal ref struct GradientSumsStrip<T>(ref T sumDy, ref T sumDyXHat, ref T dy, ref T x, ref T mean, ref T rstd, int cols) : IColumnStrip<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private ref T _sumDy = ref sumDy, _sumDyXHat = ref sumDyXHat, _dy = ref dy, _x = ref x, _mean = ref mean, _rstd = ref rstd;
    private readonly nuint _cols = (nuint)cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint c, nuint first, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector m = TWidth.Load(ref _mean, c), r = TWidth.Load(ref _rstd, c);
        TVector a = first == 0 ? TWidth.Broadcast(T.Zero) : TWidth.Load(ref _sumDy, c);
        TVector b = first == 0 ? TWidth.Broadcast(T.Zero) : TWidth.Load(ref _sumDyXHat, c);
        for (nuint i = first * _cols + c; i < end * _cols; i += _cols)
        {
            TVector d = TWidth.Load(ref _dy, i);
            a = TWidth.Add(a, d);
            b = TWidth.Add(b, TWidth.Multiply(d, TWidth.Multiply(TWidth.Subtract(TWidth.Load(ref _x, i), m), r)));
        }
        TWidth.Store(a, ref _sumDy, c);
        TWidth.Store(b, ref _sumDyXHat, c);
    }
}

/// <summary>dx = ((dy − (x − mean)·rstd·meanDyXHat) − meanDy)·scale</summary>
internal ref struct InputGradientStrip<T>(ref T dx, ref T dy, ref T x, ref T mean, ref T rstd, ref T meanDyXHat, ref T meanDy, ref T scale, int cols)
    : IColumnStrip<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private ref T _dx = ref dx, _dy = ref dy, _x = ref x, _mean = ref mean, _rstd = ref rstd, _meanDyXHat = ref meanDyXHat, _meanDy = ref meanDy, _scale = ref scale;
    private readonly nuint _cols = (nuint)cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run<TWidth, TVector>(nuint c, nuint first, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector m = TWidth.Load(ref _mean, c), r = TWidth.Load(ref _rstd, c), k = TWidth.Load(ref _meanDyXHat, c);
        TVector md = TWidth.Load(ref _meanDy, c), s = TWidth.Load(ref _scale, c);
        for (nuint i = first * _cols + c; i < end * _cols; i += _cols)
        {
            TVector xHat = TWidth.Multiply(TWidth.Subtract(TWidth.Load(ref _x, i), m), r);
            TWidth.Store(TWidth.Multiply(TWidth.Subtract(TWidth.Subtract(TWidth.Load(ref _dy, i), TWidth.Multiply(xHat, k)), md), s), ref _dx, i);
        }
    }
}
