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
    public static PreparedData<T> Create(Dataset<T> data, TaskChoice task, DataSettings settings, int seed)
    {
        Dataset<T> train = data;
        Dataset<T>? test = null;
        if (settings.TestFraction > 0)
            (train, test) = data.Split(settings.TestFraction, seed, stratified: task != TaskChoice.Regress, keepOrder: !settings.Shuffle);
        if (!settings.Standardize)
            return new PreparedData<T>(train, test, null, null);

        Standardizer input = Standardizer.Fit(train);
        Standardizer? target = task == TaskChoice.Regress ? Standardizer.Fit(train.Targets, train.Rows, 1) : null;
        return new PreparedData<T>(Apply(train, input, target), test is null ? null : ApplyHeldOut(test, input, target, settings), input, target);
    }

    // The training rows' statistics cannot take a held-out row past T (their own rows stay within √n σ of the mean), but
    // a held-out one far outside their spread can: the standardizer's message names a row of the shuffled held-out part,
    // which is said, not left to be looked for in the file, and without the library's "(Parameter 'data')".
    private static Dataset<T> ApplyHeldOut(Dataset<T> test, Standardizer input, Standardizer? target, DataSettings settings)
    {
        try
        {
            return Apply(test, input, target);
        }
        catch (ArgumentException e) when (e.ParamName == "data")
        {
            throw HeldOutRefused(e, string.Create(CultureInfo.InvariantCulture, $"held-out rows (--test-fraction {settings.TestFraction}, drawn by --seed"));
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
            // The refused row: the first whose target the standardizer refuses alone.
            int row = Array.FindIndex(data.Targets.ToArray(), y => !Standardizes(target, y));
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Target '{data.TargetName}' of row {row} (counting from 0), {data.Targets[row]}, is beyond the range of {(typeof(T) == typeof(double) ? "double" : "float")} standardized (μ = {target.Means[0]}, σ = {target.Scales[0]} as fitted): it lies far outside the targets the statistics were fitted on."),
                "data", e);
        }
        return new Dataset<T>(data.Features.ToArray(), targets, data.FeatureCount, data.FeatureNames, data.TargetName);
    }

    private static bool Standardizes(Standardizer target, T y)
    {
        try
        {
            target.Transform<T>([y]);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Dataset<T> Apply(Dataset<T> data, Standardizer input, Standardizer? target)
    {
        Dataset<T> standardized = input.Transform(data);
        return target is null ? standardized : StandardizeTarget(standardized, target);
    }
}
