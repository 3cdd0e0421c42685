using System.Numerics;
using FastNN.Data;

namespace FastNN.Training;

/// <summary>Grid search over learning rates and regularization strengths, each setting scored by k-fold cross-validation on the same folds.</summary>
/// <remarks>Thread safety: every method may be called from several threads at once, provided they do not share a model,
/// trainer, optimizer or buffer that a call changes.</remarks>
public static class GridSearch
{
    /// <summary>Cross-validates every (learning rate, λ) pair.</summary>
    /// <param name="data">All rows available for model selection.</param>
    /// <param name="learningRates">Learning rates to try (at least one).</param>
    /// <param name="lambdas">Regularization strengths to try (at least one).</param>
    /// <param name="k">Number of folds.</param>
    /// <param name="seed">Seed of the folds (the same folds for every setting).</param>
    /// <param name="stratified">Stratify the folds by class.</param>
    /// <param name="standardize">Standardize each fold on its training rows.</param>
    /// <param name="fitAndEvaluate">Trains a new model with the setting on the first dataset and evaluates it on the second.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/>, a grid axis or <paramref name="fitAndEvaluate"/> is null.</exception>
    /// <exception cref="ArgumentException">A grid axis is empty, or <paramref name="stratified"/> is set and a target is not a class index.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 2 or more than the rows.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="fitAndEvaluate"/> returned null (the message names the fold).</exception>
    public static GridSearchResult Run<T>(
        Dataset<T> data, IReadOnlyList<double> learningRates, IReadOnlyList<double> lambdas, int k, int seed, bool stratified, bool standardize,
        Func<GridPoint, Dataset<T>, Dataset<T>, Evaluation> fitAndEvaluate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(learningRates);
        ArgumentNullException.ThrowIfNull(lambdas);
        ArgumentNullException.ThrowIfNull(fitAndEvaluate);
        if (learningRates.Count == 0)
            throw new ArgumentException("At least one learning rate is needed.", nameof(learningRates));
        if (lambdas.Count == 0)
            throw new ArgumentException("At least one lambda is needed.", nameof(lambdas));

        var settings = new List<(GridPoint, CrossValidationResult)>();
        foreach (double learningRate in learningRates)
        {
            foreach (double lambda in lambdas)
            {
                var setting = new GridPoint(learningRate, lambda);
                settings.Add((setting, CrossValidation.Run(data, k, seed, stratified, standardize, (train, validation) => fitAndEvaluate(setting, train, validation))));
            }
        }
        return new GridSearchResult(settings);
    }
}
