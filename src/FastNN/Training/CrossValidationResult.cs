using System.Text;

namespace FastNN.Training;

/// <summary>The folds of a cross-validation and the mean and spread of their validation scores.</summary>
/// <param name="Folds">One result per fold, in fold order.</param>
/// <remarks>Standard deviations are the population form (divide by k), as scikit-learn's <c>cv_results_</c>.
/// <para>Thread safety: immutable (init-only); safe to share between threads.</para></remarks>
public sealed record CrossValidationResult(IReadOnlyList<FoldResult> Folds)
{
    /// <summary>Mean over folds of the validation <see cref="Evaluation.Metric"/>.</summary>
    public double MeanMetric => Folds.Average(f => f.Validation.Metric);

    /// <summary>Standard deviation over folds of the validation <see cref="Evaluation.Metric"/>.</summary>
    public double StdMetric => Std(Folds.Select(f => f.Validation.Metric));

    /// <summary>Mean over folds of the validation loss.</summary>
    public double MeanLoss => Folds.Average(f => f.Validation.Loss);

    /// <summary>Standard deviation over folds of the validation loss.</summary>
    public double StdLoss => Std(Folds.Select(f => f.Validation.Loss));

    // The record's text: every fold (not the list's type name) and, when there are folds, the means and spreads; never throws.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendList(nameof(Folds), Folds);
        if (Folds?.Count > 0)
            builder.Append($", {nameof(MeanMetric)} = {MeanMetric}, {nameof(StdMetric)} = {StdMetric}, {nameof(MeanLoss)} = {MeanLoss}, {nameof(StdLoss)} = {StdLoss}");
        return true;
    }

    private static double Std(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }
}
