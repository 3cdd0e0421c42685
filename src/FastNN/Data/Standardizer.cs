using System.Globalization;
using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Data;

/// <summary>
/// Per-feature standardization <c>x′ = (x − μ) / σ</c>, with μ and σ (the population standard deviation, as
/// scikit-learn's <c>StandardScaler</c>) fitted on training rows only and then applied to any rows.
/// </summary>
/// <remarks>
/// Statistics are accumulated in <see cref="double"/>, row by row in one scalar loop, so a fit gives the same bits on every
/// instruction-set path (AVX-512, AVX2, 128-bit, scalar): a checkpoint's recorded statistics compare exactly on any
/// machine. Each column is scaled by a power of two (exactly), so columns of huge
/// or tiny doubles (past 1e154, below 1e-154) get the σ their unit-scale copies would, scaled. A constant feature (σ = 0, or a σ no larger than the
/// rounding of its mean, <c>n·ε·|μ|</c>, as scikit-learn's <c>StandardScaler</c> decides, or one too small for a double) gets σ = 1, so it maps to 0
/// (to within the rounding of its mean: ten doubles 0.1 average to 0.1 − 1 ulp, and map to 1.4e-17)
/// instead of dividing by zero or by rounding noise. Fit on the training part only: fitting on validation or test rows leaks them
/// into training.
/// <para>Thread safety: immutable; any number of threads may use one instance at once.</para>
/// </remarks>
public sealed class Standardizer
{
    private const double RoundOff = 2.220446049250313e-16; // machine epsilon of double: 2⁻⁵²

    private readonly double[] _means;
    private readonly double[] _scales;

    /// <summary>Creates a standardizer from known statistics (for instance read back from a saved model).</summary>
    /// <param name="means">μ per feature.</param>
    /// <param name="scales">σ per feature; each finite and positive.</param>
    /// <exception cref="ArgumentException">The lengths differ or are zero, a mean is not finite, or a scale is not finite and positive.</exception>
    public Standardizer(IReadOnlyList<double> means, IReadOnlyList<double> scales)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(scales);
        if (means.Count == 0 || means.Count != scales.Count)
            throw new ArgumentException($"means has {means.Count} values and scales {scales.Count}; they must be equal and non-zero.", nameof(scales));
        for (int i = 0; i < means.Count; i++)
        {
            if (!double.IsFinite(means[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"means[{i}] = {means[i]} is not finite."), nameof(means));
            if (!(double.IsFinite(scales[i]) && scales[i] > 0))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"scales[{i}] = {scales[i]} is not finite and positive."), nameof(scales));
        }
        _means = means.ToArray();
        _scales = scales.ToArray();
    }

    /// <summary>Number of features.</summary>
    public int FeatureCount => _means.Length;

    /// <summary>μ per feature.</summary>
    public ReadOnlySpan<double> Means => _means;

    /// <summary>σ per feature (1 for constant features).</summary>
    public ReadOnlySpan<double> Scales => _scales;

    /// <summary>Fits μ and σ on every row of <paramref name="training"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="training"/> is null.</exception>
    public static Standardizer Fit<T>(Dataset<T> training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit(training.Features, training.Rows, training.FeatureCount);
    }

    /// <summary>Fits μ and σ on <paramref name="rows"/> rows of row-major <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="featureCount"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> does not hold <c>rows * featureCount</c> elements, or one is NaN or infinite (the message gives its row and column).</exception>
    public static Standardizer Fit<T>(ReadOnlySpan<T> features, int rows, int featureCount) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        CheckShape(features.Length, rows, featureCount);

        // Each column is summed scaled by the power of two that takes its largest magnitude into [1, 2): exact, so ordinary
        // columns give the same bits, and huge doubles (past 1e154) neither overflow their sums and squares nor tiny ones
        // (below 1e-154) underflow their squares to 0.
        var exponents = new int[featureCount];
        for (int c = 0; c < featureCount; c++)
        {
            double max = 0;
            for (int r = 0; r < rows; r++)
            {
                double x = double.CreateChecked(features[r * featureCount + c]);
                if (!double.IsFinite(x))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"features[{r * featureCount + c}] (row {r}, column {c}, counting from 0) is {x}; every feature must be finite."), nameof(features));
                max = Math.Max(max, Math.Abs(x));
            }
            exponents[c] = max == 0 ? 0 : Math.ILogB(max);
        }

        var means = new double[featureCount];
        var scales = new double[featureCount];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < featureCount; c++)
                means[c] += Scaled(features[r * featureCount + c], exponents[c]);
        }
        for (int c = 0; c < featureCount; c++)
            means[c] /= rows;

        // Two passes (mean, then squared deviations) avoid the cancellation of Σx² − n·μ².
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < featureCount; c++)
            {
                double d = Scaled(features[r * featureCount + c], exponents[c]) - means[c];
                scales[c] += d * d;
            }
        }
        for (int c = 0; c < featureCount; c++)
        {
            // A constant column's mean is rounded (ten 0.1s average to 0.1 − 1 ulp), so its variance is rounding noise
            // up to about (n·ε·|μ|)², not 0: below that bound, as scikit-learn's StandardScaler, it is constant.
            // A σ below half the smallest subnormal (a column of a few ε = 4.9e-324) scales back to 0: constant too.
            double variance = scales[c] / rows, noise = rows * RoundOff * means[c];
            double sigma = variance > noise * noise ? Math.ScaleB(Math.Sqrt(variance), exponents[c]) : 0;
            scales[c] = sigma > 0 ? sigma : 1;
            means[c] = Math.ScaleB(means[c], exponents[c]);
        }
        return new Standardizer(means, scales);
    }

    /// <summary>Standardizes row-major <paramref name="features"/> <c>[rows, FeatureCount]</c> in place. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="FeatureCount"/>, or a finite value
    /// standardizes to one beyond the range of <typeparamref name="T"/> (a value far outside a feature's small fitted spread;
    /// the message gives it, its row and column, and the values before it are standardized already).</exception>
    public void Transform<T>(Span<T> features) where T : unmanaged, IFloatingPointIeee754<T> => Transform(features, null, nameof(features));

    /// <summary>A standardized copy of <paramref name="data"/> (targets unchanged).</summary>
    /// <exception cref="ArgumentException">The dataset's feature count differs from <see cref="FeatureCount"/>, or a value
    /// standardizes to one beyond the range of <typeparamref name="T"/> (the message names its feature and row).</exception>
    public Dataset<T> Transform<T>(Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"The dataset has {data.FeatureCount} features; this standardizer was fitted on {FeatureCount}.", nameof(data));
        T[] features = data.Features.ToArray();
        Transform<T>(features, data.FeatureNames, nameof(data));
        return data.WithFeatures(features);
    }

    // A finite value whose standardized value T cannot hold is refused by name: stored as an infinity, it would be
    // reported later as an infinite feature of a row whose value is finite.
    private void Transform<T>(Span<T> features, IReadOnlyList<string>? names, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (features.Length % FeatureCount != 0)
            throw new ArgumentException($"features has {features.Length} elements, not a multiple of the {FeatureCount} features.", paramName);
        for (int row = 0; row < features.Length; row += FeatureCount)
        {
            Span<T> x = features.Slice(row, FeatureCount);
            for (int c = 0; c < x.Length; c++)
            {
                double z = Standardize(x[c], c);
                T standardized = T.CreateChecked(z);
                if (!T.IsFinite(standardized) && T.IsFinite(x[c]))
                {
                    string which = names is null ? $"features[{row + c}] (row {row / FeatureCount}, column {c}, counting from 0)"
                        : $"Feature '{names[c]}' (column {c}) of row {row / FeatureCount} (counting from 0)";
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"{which}, {x[c]}, standardizes to {z} (μ = {_means[c]}, σ = {_scales[c]} as fitted), beyond the range of {HyperParameter.TypeName<T>()}: it lies far outside the values the statistics were fitted on."),
                        paramName);
                }
                x[c] = standardized;
            }
        }
    }

    /// <summary>(x − μ) / σ of feature <paramref name="column"/>, in double, as <see cref="Transform{T}(Span{T})"/> computes it before rounding to T.</summary>
    internal double Standardize<T>(T x, int column) where T : unmanaged, IFloatingPointIeee754<T> =>
        (double.CreateChecked(x) - _means[column]) / _scales[column];

    /// <summary>Whether <see cref="Transform{T}(Span{T})"/> takes the finite value <paramref name="x"/> of feature <paramref name="column"/>: its standardized value is finite in T.</summary>
    internal bool Fits<T>(T x, int column) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsFinite(T.CreateChecked(Standardize(x, column)));

    /// <summary>
    /// The least and greatest values of T that <see cref="Fits{T}"/> feature <paramref name="column"/>, so that one
    /// comparison per value checks a row (a caller's fast path); Low &gt; High when none does. The standardized value is
    /// monotone in x, so the values that fit form one interval around μ, whose ends are found by bisection (at most a
    /// few thousand steps in double). Should a bisection stop short of an end, the interval is narrower, never wider.
    /// </summary>
    internal (T Low, T High) Bounds<T>(int column) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T largest = T.BitDecrement(T.PositiveInfinity);
        double max = double.CreateChecked(largest);
        T start = T.CreateChecked(Math.Clamp(_means[column], -max, max));
        if (!Fits(start, column))
            return (T.PositiveInfinity, T.NegativeInfinity);
        return (End(start, -largest), End(start, largest));

        T End(T inside, T outside)
        {
            if (Fits(outside, column))
                return outside;
            while (true)
            {
                T middle = inside / T.CreateChecked(2) + outside / T.CreateChecked(2);
                if (middle == inside || middle == outside)
                    return inside;
                if (Fits(middle, column))
                    inside = middle;
                else
                    outside = middle;
            }
        }
    }

    private static double Scaled<T>(T x, int exponent) where T : unmanaged, IFloatingPointIeee754<T> =>
        Math.ScaleB(double.CreateChecked(x), -exponent);

    private static void CheckShape(int length, int rows, int featureCount)
    {
        if (length != (long)rows * featureCount)
            throw new ArgumentException($"features has {length} elements; {rows} rows of {featureCount} features need {(long)rows * featureCount}.", "features");
    }
}
