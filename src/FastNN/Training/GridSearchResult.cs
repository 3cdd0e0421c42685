using System.Text;

namespace FastNN.Training;

/// <summary>The cross-validation result of every setting of a grid search, and the best setting.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Settings">Each setting with its cross-validation, in the order searched.</param>
public sealed record GridSearchResult(IReadOnlyList<(GridPoint Setting, CrossValidationResult Result)> Settings)
{
    /// <summary>
    /// The setting with the highest mean validation metric (the first one searched, on ties). A setting whose mean is
    /// NaN (a fit that diverged and reported NaN) is never best unless every setting is NaN.
    /// </summary>
    public (GridPoint Setting, CrossValidationResult Result) Best =>
        Settings.Where(s => !double.IsNaN(s.Result.MeanMetric)).DefaultIfEmpty(Settings[0])
            .Aggregate((best, next) => next.Result.MeanMetric > best.Result.MeanMetric ? next : best);

    // The record's text: every setting (not the list's type name) and, when there is one, the best; never throws.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendList(nameof(Settings), Settings);
        if (Settings?.Count > 0)
            builder.Append($", {nameof(Best)} = {Best}");
        return true;
    }
}
