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
/// <param name="DropLast">Skip each epoch's incomplete last batch (<c>--drop-last</c>).</param>
internal sealed record LoopSettings(int Epochs, int BatchSize, int Seed, bool Double, bool DefaultEpochs = false, bool DropLast = false)
{
    /// <summary>These settings for a run on <paramref name="trainingRows"/> rows: the default epochs resolved by <see cref="EpochBudget"/>.</summary>
    public LoopSettings ForTrainingRows(int trainingRows) =>
        DefaultEpochs ? this with { Epochs = EpochBudget.For(EpochBudget.BatchesPerEpoch(trainingRows, BatchSize, DropLast)) } : this;

    /// <summary>
    /// These settings with a batch of at most <paramref name="rows"/>, the most training rows a run meets: a larger batch
    /// is one batch of them all (as PyTorch's DataLoader), and a model sized for more rows would only waste memory, or
    /// fail to be built for a batch size such as 200,000,000.
    /// </summary>
    public LoopSettings AtMostRows(int rows) => BatchSize > rows ? this with { BatchSize = rows } : this;

    /// <summary>
    /// Throws a <see cref="UsageException"/>, before any training, when these settings leave an epoch without a batch, or
    /// when a network with batch norm (<paramref name="batchNorm"/> names what asked for it) would meet a batch of one
    /// row, whose variance batch norm cannot take: the trainer would refuse the run in its own (library) words.
    /// </summary>
    public void CheckBatches(int trainingRows, string? batchNorm)
    {
        if (DropLast && trainingRows < BatchSize)
            throw new UsageException($"--drop-last: the {Counted.Of(trainingRows, "training row")} {Counted.Be(trainingRows)} fewer than one batch of {BatchSize}, so every epoch would skip them all; give a smaller --batch-size.");
        if (batchNorm is null)
            return;
        if (BatchSize == 1)
            throw new UsageException($"{batchNorm}: batch norm needs at least 2 rows per batch to compute a variance; give a --batch-size of at least 2.");
        if (!DropLast && trainingRows % BatchSize == 1)
        {
            throw new UsageException(
                $"{batchNorm}: the {Counted.Of(trainingRows, "training row")} in batches of {BatchSize} leave a last batch of 1 row, and batch norm needs at least 2 rows per batch to compute a variance; add --drop-last to skip that batch in every epoch (a different row each epoch), or give another --batch-size.");
        }
    }
}
