namespace FastNN.Cli.Training;

/// <summary>The training loop: epochs, batch size, seed, element type.</summary>
/// <param name="Epochs">Passes over the training rows.</param>
/// <param name="BatchSize">Rows per mini-batch.</param>
/// <param name="Seed">Seed of the split, the initialization, the shuffles and dropout.</param>
/// <param name="Double">Train in double precision instead of float.</param>
/// <param name="DefaultEpochs">
/// <see cref="Epochs"/> was not given and follows <see cref="EpochBudget"/>: <see cref="ForTrainingRows"/> sets it from
/// the number of training rows.
/// </param>
internal sealed record LoopSettings(int Epochs, int BatchSize, int Seed, bool Double, bool DefaultEpochs = false)
{
    /// <summary>These settings for a run on <paramref name="trainingRows"/> rows: the default epochs resolved by <see cref="EpochBudget"/>.</summary>
    public LoopSettings ForTrainingRows(int trainingRows) =>
        DefaultEpochs ? this with { Epochs = EpochBudget.For(trainingRows, BatchSize) } : this;
}
