using System.Numerics;
using FastNN.Data;

namespace FastNN.Training;

/// <summary>
/// k-fold cross-validation: for each fold, fit a fresh model on the training rows and score it on the held-out
/// rows, optionally standardizing with statistics of that fold's training rows only.
/// </summary>
/// <remarks>Thread safety: every method may be called from several threads at once, provided they do not share a model,
/// trainer, optimizer or buffer that a call changes.</remarks>
public static class CrossValidation
{
    /// <summary>Runs <paramref name="fitAndEvaluate"/> once per fold of <paramref name="data"/>.</summary>
    /// <param name="data">All rows available for model selection (keep a test set out of it).</param>
    /// <param name="k">Number of folds (at least 2).</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <param name="stratified">Use <see cref="Folds.Stratified{T}"/> (targets must be class indices) instead of <see cref="Folds.KFold"/>.</param>
    /// <param name="standardize">Standardize each fold with a <see cref="Standardizer"/> fitted on its training rows.</param>
    /// <param name="fitAndEvaluate">Trains a new model on the first dataset and returns its evaluation on the second.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 2 or more than the rows.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="fitAndEvaluate"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stratified"/> is set and a target is not a class index.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="fitAndEvaluate"/> returned null (the message names the fold).</exception>
    public static CrossValidationResult Run<T>(
        Dataset<T> data, int k, int seed, bool stratified, bool standardize, Func<Dataset<T>, Dataset<T>, Evaluation> fitAndEvaluate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(fitAndEvaluate);
        Fold[] folds = stratified ? Folds.Stratified(data.Targets, k, seed) : Folds.KFold(data.Rows, k, seed);
        var results = new FoldResult[folds.Length];
        foreach (Fold fold in folds)
        {
            Dataset<T> train = data.Subset(fold.TrainRows), validation = data.Subset(fold.ValidationRows);
            if (standardize)
            {
                Standardizer standardizer = Standardizer.Fit(train);
                (train, validation) = (standardizer.Transform(train), standardizer.Transform(validation));
            }
            // Refused here, naming the fold: kept, a null became a NullReferenceException in MeanMetric or the result's text.
            Evaluation evaluation = fitAndEvaluate(train, validation)
                ?? throw new InvalidOperationException($"{nameof(fitAndEvaluate)} returned null for fold {fold.Index} (counting from 0); it must return the fold's Evaluation.");
            results[fold.Index] = new FoldResult(fold.Index, train.Rows, validation.Rows, evaluation);
        }
        return new CrossValidationResult(results);
    }
}
