using System.Globalization;
using System.Numerics;
using FastNN.Layers;

namespace FastNN.Data;

/// <summary>
/// A table of examples: features <c>[Rows, FeatureCount]</c> stored row-major in one flat array, and one
/// target per row (a value for regression, a class index stored as <typeparamref name="T"/> for classification),
/// with the class labels when the classes have names.
/// </summary>
/// <remarks>
/// Every feature and target is finite (checked at construction). A dataset never changes after construction;
/// standardization, subsets and splits return new datasets, which keep the feature names, target name and class
/// labels.
/// <see cref="Gather"/> copies chosen rows into caller buffers without allocating, which is what a training
/// loop does once per mini-batch.
/// <para>Thread safety: immutable; any number of threads may read one at once.</para>
/// </remarks>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Dataset<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _features;
    private readonly T[] _targets;
    private readonly string[] _featureNames;
    private readonly string[]? _classLabels;

    /// <summary>Wraps <paramref name="features"/> and <paramref name="targets"/> (not copied: do not change them afterwards).</summary>
    /// <param name="features">Row-major <c>[rows, featureCount]</c>.</param>
    /// <param name="targets">One target per row.</param>
    /// <param name="featureCount">Number of features per row (at least 1).</param>
    /// <param name="featureNames">One name per feature, none null or twice (compared in Unicode normal form C, as the exception says), or <see langword="null"/> for <c>x0, x1, …</c>.</param>
    /// <param name="targetName">Name of the target column (default <c>target</c>); when given, none of the feature names (<c>x0, x1, …</c> when <paramref name="featureNames"/> is null).</param>
    /// <param name="classLabels">The label of each class index, or <see langword="null"/> when the targets are values or unnamed classes;
    /// when given, every target must be a class index below its count.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The lengths of the arrays do not agree with <paramref name="featureCount"/>, a feature or
    /// target is NaN or infinite (the message gives its row and column), a target is not an index into
    /// <paramref name="classLabels"/>, a label is empty or repeated, or a feature name is null or repeated (the message gives it and both features), or
    /// <paramref name="targetName"/> is a feature's name, a default one too (the message gives it and the feature); labels and
    /// names are compared in Unicode normal form C, as <see cref="Csv"/> reads them.</exception>
    public Dataset(T[] features, T[] targets, int featureCount, IReadOnlyList<string>? featureNames = null, string? targetName = null,
        IReadOnlyList<string>? classLabels = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if (features.Length != (long)targets.Length * featureCount)
            throw new ArgumentException(
                $"features has {features.Length} elements but targets has {targets.Length} rows of {featureCount} features ({(long)targets.Length * featureCount} expected).",
                nameof(features));
        if (featureNames is not null && featureNames.Count != featureCount)
            throw new ArgumentException($"featureNames has {featureNames.Count} names for {featureCount} features.", nameof(featureNames));
        if (featureNames is not null)
            CheckDistinct(featureNames);
        string[] names = featureNames?.ToArray() ?? Enumerable.Range(0, featureCount).Select(i => $"x{i}").ToArray();
        // As a model file's columns (ModelFile.Save refuses the name, the default ones too): a file to evaluate finds the
        // target by name, and one column cannot be both it and a feature. Checked here so the mistake shows before
        // training, not at the save.
        if (targetName is not null && NormalForm.IndexOf(names, targetName) is int feature and >= 0)
        {
            string written = featureNames is null ? ", named x0, x1, … as featureNames is null"
                : names[feature] == targetName ? "" : $", written '{names[feature]}': one name in Unicode normal form C";
            throw new ArgumentException($"targetName '{targetName}' is also the name of feature {feature} (counting from 0{written}); the target needs a name of its own.", nameof(targetName));
        }

        _features = features;
        _targets = targets;
        FeatureCount = featureCount;
        _featureNames = names;
        TargetName = targetName ?? "target";
        CheckFinite();
        if (classLabels is not null)
        {
            _ = new LabelIndex(classLabels, nameof(classLabels));
            for (int i = 0; i < targets.Length; i++)
            {
                if (FastNN.Data.ClassLabels.ToIndex(targets[i], i, nameof(targets)) >= classLabels.Count)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Target {targets[i]} at row {i} is not a class index below the {classLabels.Count} class labels."), nameof(targets));
            }
            _classLabels = [.. classLabels];
        }
    }

    // One name per feature, as a model file requires (ModelFile.Save refuses a repeated one) and a CSV header: its columns
    // are found by name (in Unicode normal form C), and one name cannot find two. Checked here so the mistake shows before
    // training, not at the save.
    // A repeat before the first null is reported first, as a walk of the names meets it.
    private static void CheckDistinct(IReadOnlyList<string> featureNames)
    {
        if (NormalForm.FirstRepeat(featureNames) is var (first, second))
        {
            string earlier = featureNames[first];
            string written = NormalForm.SecondWritten(earlier, featureNames[second]) is { } w ? $"; {w}" : "";
            throw new ArgumentException($"featureNames holds '{earlier}' twice (features {first} and {second}, counting from 0{written}); each feature needs a name of its own.", nameof(featureNames));
        }
        for (int i = 0; i < featureNames.Count; i++)
        {
            if (featureNames[i] is null)
                throw new ArgumentException($"featureNames[{i}] is null.", nameof(featureNames));
        }
    }

    // A NaN or infinity would only surface steps later as a non-finite training objective; name it here instead.
    private void CheckFinite()
    {
        for (int i = 0; i < _features.Length; i++)
        {
            if (!T.IsFinite(_features[i]))
            {
                (int row, int column) = Math.DivRem(i, FeatureCount);
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Feature '{_featureNames[column]}' (column {column}) of row {row} (counting from 0) is {_features[i]}; every feature must be finite."), "features");
            }
        }
        for (int row = 0; row < _targets.Length; row++)
        {
            if (!T.IsFinite(_targets[row]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Target '{TargetName}' of row {row} (counting from 0) is {_targets[row]}; every target must be finite."), "targets");
        }
    }

    /// <summary>Number of rows (examples).</summary>
    public int Rows => _targets.Length;

    /// <summary>Number of features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>All features, row-major <c>[Rows, FeatureCount]</c>.</summary>
    public ReadOnlySpan<T> Features => _features;

    /// <summary>All targets, one per row.</summary>
    public ReadOnlySpan<T> Targets => _targets;

    /// <summary>The name of each feature column.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The name of the target column.</summary>
    public string TargetName { get; }

    /// <summary>The label of each class index (as read from a CSV class column), or <see langword="null"/> when the targets are values or unnamed class indices.</summary>
    public IReadOnlyList<string>? ClassLabels => _classLabels;

    /// <summary>The features of one row.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is outside <c>[0, Rows)</c>.</exception>
    public ReadOnlySpan<T> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _features.AsSpan(row * FeatureCount, FeatureCount);
    }

    /// <summary>
    /// Copies the features and targets of <paramref name="rows"/>, in that order, to the front of
    /// <paramref name="features"/> (<c>[rows.Length, FeatureCount]</c>) and <paramref name="targets"/>.
    /// Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A destination is too short for <c>rows.Length</c> rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside <c>[0, Rows)</c>.</exception>
    public void Gather(ReadOnlySpan<int> rows, Span<T> features, Span<T> targets)
    {
        if (features.Length < (long)rows.Length * FeatureCount)
            throw new ArgumentException($"features holds {features.Length} elements, {rows.Length} rows of {FeatureCount} need {(long)rows.Length * FeatureCount}.", nameof(features));
        if (targets.Length < rows.Length)
            throw new ArgumentException($"targets holds {targets.Length} elements, {rows.Length} rows need {rows.Length}.", nameof(targets));
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)Rows)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row index {row} at position {i} is outside [0, {Rows}).");
            _features.AsSpan(row * FeatureCount, FeatureCount).CopyTo(features.Slice(i * FeatureCount, FeatureCount));
            targets[i] = _targets[row];
        }
    }

    /// <summary>A new dataset holding copies of <paramref name="rows"/>, in that order (an index may repeat).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside <c>[0, Rows)</c>.</exception>
    /// <exception cref="ArgumentException">The subset's features are more values than one array holds.</exception>
    public Dataset<T> Subset(ReadOnlySpan<int> rows)
    {
        if ((long)rows.Length * FeatureCount > Array.MaxLength)
            throw new ArgumentException($"{rows.Length} rows of {FeatureCount} features are {(long)rows.Length * FeatureCount} values, more than one array holds ({Array.MaxLength}).", nameof(rows));
        var features = new T[rows.Length * FeatureCount];
        var targets = new T[rows.Length];
        Gather(rows, features, targets);
        return new Dataset<T>(features, targets, FeatureCount, _featureNames, TargetName, _classLabels);
    }

    /// <summary>A new dataset with the same rows and targets and the given features (same shape; not copied, as the constructor takes them).</summary>
    /// <exception cref="ArgumentException"><paramref name="features"/> is null (<see cref="ArgumentNullException"/>), does not have
    /// <c>Rows * FeatureCount</c> elements, or holds a NaN or infinity (the message gives its row and column), as the constructor refuses them.</exception>
    public Dataset<T> WithFeatures(T[] features) =>
        new(features, _targets, FeatureCount, _featureNames, TargetName, _classLabels);

    /// <summary>
    /// Splits the rows at random into a training and a validation dataset, holding out
    /// <c>round(validationFraction * Rows)</c> rows (with <paramref name="stratified"/>, that fraction of each class,
    /// rounded per class, so both parts keep the class ratios).
    /// </summary>
    /// <param name="validationFraction">Fraction of rows held out, in <c>(0, 1)</c>.</param>
    /// <param name="seed">Seed of the shuffle; the same seed gives the same split.</param>
    /// <param name="stratified">Split each class separately; targets must then be class indices.</param>
    /// <param name="keepOrder">Keep each part's rows in their order in this dataset (so an unshuffled pass visits them in
    /// file order) instead of shuffling them; the same seed holds out the same rows either way.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in <c>(0, 1)</c>.</exception>
    /// <exception cref="ArgumentException">A part would be empty (stratified, each class rounds its own share: 3 classes of 2 rows
    /// at 0.2 hold out none), or a target is not a class index when stratified.</exception>
    public (Dataset<T> Train, Dataset<T> Validation) Split(double validationFraction, int seed, bool stratified = false, bool keepOrder = false) =>
        Split(validationFraction, seed, stratified, keepOrder, "validation fraction", nameof(validationFraction));

    // The message of an empty part names the fraction as the caller set it (Fit: TrainerOptions.ValidationFraction,
    // under its own parameter), and says when the rounding was per class, where a fraction of all rows would hold some out.
    internal (Dataset<T> Train, Dataset<T> Validation) Split(double validationFraction, int seed, bool stratified, bool keepOrder,
        string fractionName, string parameter)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");

        var random = new FastRandom((ulong)seed);
        var train = new List<int>(Rows);
        var validation = new List<int>(Rows);
        int[][] groups = stratified ? FastNN.Data.ClassLabels.RowsByClass(Targets, nameof(Targets)) : [Enumerable.Range(0, Rows).ToArray()];
        foreach (int[] group in groups)
        {
            Shuffler.Shuffle(group, random);
            int held = (int)Math.Round(validationFraction * group.Length, MidpointRounding.AwayFromZero);
            validation.AddRange(group.AsSpan(0, held));
            train.AddRange(group.AsSpan(held));
        }
        if (train.Count == 0 || validation.Count == 0)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Splitting {Rows} rows{(stratified ? $" of {groups.Length} classes" : "")} with {fractionName} {validationFraction}{(stratified ? ", rounded per class," : "")} leaves {train.Count} training and {validation.Count} validation rows; both must be non-empty."),
                parameter);

        // Stratification collects the rows class by class; mix the classes so an unshuffled pass is not sorted by class.
        int[] trainRows = train.ToArray(), validationRows = validation.ToArray();
        if (keepOrder)
        {
            Array.Sort(trainRows);
            Array.Sort(validationRows);
        }
        else
        {
            Shuffler.Shuffle(trainRows, random);
            Shuffler.Shuffle(validationRows, random);
        }
        return (Subset(trainRows), Subset(validationRows));
    }
}
