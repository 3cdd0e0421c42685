namespace FastNN.Training;

/// <summary>The cross-validation result of every setting of a grid search, and the best setting.</summary>
/// <param name="Settings">Each setting with its cross-validation, in the order searched.</param>
public sealed record GridSearchResult(IReadOnlyList<(GridPoint Setting, CrossValidationResult Result)> Settings)
{
    /// <summary>The setting with the highest mean validation metric (the first one searched, on ties).</summary>
    public (GridPoint Setting, CrossValidationResult Result) Best =>
        Settings.Aggregate((best, next) => next.Result.MeanMetric > best.Result.MeanMetric ? next : best);
}
