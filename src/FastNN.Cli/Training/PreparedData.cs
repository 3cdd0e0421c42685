using System.Globalization;
using System.Numerics;
using FastNN.Data;

namespace FastNN.Cli.Training;

/// <summary>
/// The rows split and standardized for training: features standardized with statistics of the training rows, and a
/// regression target standardized too (the model learns z = (y − μ)/σ; predictions are mapped back to y's units).
/// </summary>
internal sealed class PreparedData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private PreparedData(Dataset<T> train, Dataset<T>? test, Standardizer? input, Standardizer? target)
    {
        Train = train;
        Test = test;
        Input = input;
        Target = target;
    }

    /// <summary>The training rows, standardized (targets too, for regression).</summary>
    public Dataset<T> Train { get; }

    /// <summary>The held-out rows, standardized the same way, or null when nothing is held out.</summary>
    public Dataset<T>? Test { get; }

    /// <summary>The feature standardization, or null when off.</summary>
    public Standardizer? Input { get; }

    /// <summary>The regression target's standardization, or null.</summary>
    public Standardizer? Target { get; }

    /// <summary>Regression values (targets or predictions) in the target's own units: z·σ + μ, or as they are when the target was not standardized.</summary>
    public double[] TargetUnits(ReadOnlySpan<T> values)
    {
        double scale = Target?.Scales[0] ?? 1, mean = Target?.Means[0] ?? 0;
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = double.CreateChecked(values[i]) * scale + mean;
        return result;
    }

    /// <summary>Splits <paramref name="data"/> (stratified for classes) and fits the standardizations on the training part.</summary>
    /// <exception cref="UsageException">A held-out value standardizes beyond T's range (the message names its row of <paramref name="source"/>).</exception>
    public static PreparedData<T> Create(Dataset<T> data, string source, TaskChoice task, DataSettings settings, int seed)
    {
        Dataset<T> train = data;
        Dataset<T>? test = null;
        if (settings.TestFraction > 0)
            (train, test) = data.Split(settings.TestFraction, seed, stratified: task != TaskChoice.Regress, keepOrder: !settings.Shuffle);
        if (!settings.Standardize)
            return new PreparedData<T>(train, test, null, null);

        Standardizer input = Standardizer.Fit(train);
        Standardizer? target = task == TaskChoice.Regress ? Standardizer.Fit(train.Targets, train.Rows, 1) : null;
        Dataset<T> standardizedTrain = Apply(train, input, target);
        try
        {
            return new PreparedData<T>(standardizedTrain, test is null ? null : Apply(test, input, target), input, target);
        }
        catch (ArgumentException) when (BeyondRange(data, source, input, target, ", held out for testing", "fitted on the training rows",
            "Correct or remove the row, or train with --no-standardize.") is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>
    /// The usage error for a standardizer's refusal (<see cref="ArgumentException"/> naming <c>data</c>) of a row held out
    /// from the rows it was fitted on: the row it names is one of <paramref name="rows"/>, which is said, and the
    /// library's "(Parameter 'data')" left out.
    /// </summary>
    /// <param name="e">The standardizer's refusal.</param>
    /// <param name="rows">The rows, and how they were drawn, as "held-out rows (--test-fraction 0.2, drawn by --seed".</param>
    public static UsageException HeldOutRefused(ArgumentException e, string rows)
    {
        string parameter = new ArgumentException("", e.ParamName).Message; // " (Parameter 'data')", in the runtime's words
        string problem = e.Message.EndsWith(parameter, StringComparison.Ordinal) ? e.Message[..^parameter.Length] : e.Message;
        return new UsageException($"in the {rows}, standardized with the training rows' statistics): {problem} Remove the row, or give --no-standardize.");
    }

    /// <summary>
    /// The first row of the file whose value the standardizations would take beyond T's range, told by its row in the
    /// file: the library's message counts rows within the part it was given (train's held-out rows), and names no file.
    /// Null when none is (the error was another).
    /// </summary>
    /// <param name="data">The rows as read from <paramref name="source"/>, in file order.</param>
    /// <param name="source">The file's name.</param>
    /// <param name="input">The feature standardization.</param>
    /// <param name="target">The target's, or null.</param>
    /// <param name="part">Where the row stands, after its number: ", held out for testing", or "".</param>
    /// <param name="fitted">Where the statistics come from: "fitted on the training rows", "the model file records".</param>
    /// <param name="remedy">What to do, as a sentence.</param>
    public static UsageException? BeyondRange(Dataset<T> data, string source, Standardizer input, Standardizer? target, string part, string fitted, string remedy)
    {
        ReadOnlySpan<T> features = data.Features;
        for (int row = 0; row < data.Rows; row++)
        {
            for (int c = 0; c < data.FeatureCount; c++)
            {
                if (BeyondRange(features[row * data.FeatureCount + c], input, c) is { } z)
                    return Problem(row, $"feature '{data.FeatureNames[c]}'", features[row * data.FeatureCount + c], z, input, c);
            }
            if (target is not null && BeyondRange(data.Targets[row], target, 0) is { } zt)
                return Problem(row, $"target '{data.TargetName}'", data.Targets[row], zt, target, 0);
        }
        return null;

        UsageException Problem(int row, string what, T x, double z, Standardizer standardizer, int column) =>
            new(string.Create(CultureInfo.InvariantCulture,
                $"{source}, data row {row + 1} (counting from 1, the header and blank lines not counted){part}: its {what}, {x}, standardizes to {z} (μ = {standardizer.Means[column]}, σ = {standardizer.Scales[column]} as {fitted}), beyond the range of {TypeName}: it lies far outside the values they were fitted on. {remedy}"));
    }

    private static string TypeName => typeof(T) == typeof(float) ? "float" : "double";

    /// <summary>x's standardized value, (x − μ)/σ in double as <see cref="Standardizer.Transform{T}(Span{T})"/> computes it, when T cannot hold it; else null.</summary>
    private static double? BeyondRange(T x, Standardizer standardizer, int column)
    {
        double z = (double.CreateChecked(x) - standardizer.Means[column]) / standardizer.Scales[column];
        return T.IsFinite(T.CreateChecked(z)) ? null : z;
    }

    /// <summary>A copy of <paramref name="data"/> whose targets <paramref name="target"/> standardizes.</summary>
    /// <exception cref="ArgumentException">A target standardizes past <typeparamref name="T"/>, named as the target of
    /// its row (ParamName <c>data</c>, as the feature standardizer's refusal) rather than as the standardizer's
    /// <c>features[i]</c>.</exception>
    public static Dataset<T> StandardizeTarget(Dataset<T> data, Standardizer target)
    {
        T[] targets = data.Targets.ToArray();
        try
        {
            target.Transform<T>(targets);
        }
        catch (ArgumentException e) when (e.ParamName == "features")
        {
            // The refused row: the first finite target that standardizes past T (the standardizer passes a non-finite one on).
            int row = 0;
            while (!T.IsFinite(data.Targets[row]) || BeyondRange(data.Targets[row], target, 0) is null)
                row++;
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Target '{data.TargetName}' of row {row} (counting from 0), {data.Targets[row]}, is beyond the range of {TypeName} standardized (μ = {target.Means[0]}, σ = {target.Scales[0]} as fitted): it lies far outside the targets the statistics were fitted on."),
                "data", e);
        }
        return new Dataset<T>(data.Features.ToArray(), targets, data.FeatureCount, data.FeatureNames, data.TargetName);
    }

    private static Dataset<T> Apply(Dataset<T> data, Standardizer input, Standardizer? target)
    {
        Dataset<T> standardized = input.Transform(data);
        return target is null ? standardized : StandardizeTarget(standardized, target);
    }
}
