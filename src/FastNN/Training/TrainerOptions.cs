namespace FastNN.Training;

/// <summary>How a trainer runs: epochs, mini-batches, shuffling, validation and early stopping.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
public sealed record TrainerOptions
{
    /// <summary>
    /// The trainer's budget of passes over the training rows: <c>Fit</c> trains until the trainer has completed this
    /// many epochs (fewer with early stopping). Default 10.
    /// </summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Rows per mini-batch (the last batch of an epoch may be smaller, unless <see cref="DropLast"/>), at most the model's MaxBatch; <see langword="null"/> (the default) for 32 or MaxBatch if smaller. A checkpoint resumes only in batches of the size its run ran, capped at the training rows.</summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Skip an epoch's incomplete last batch (as PyTorch DataLoader's <c>drop_last</c>): an epoch then takes
    /// ⌊rows / BatchSize⌋ steps of BatchSize rows each. With <see cref="Shuffle"/> the skipped rows differ from epoch to
    /// epoch, so every row is still trained on; without it the same last rows are never seen. Needs at least BatchSize
    /// training rows. The way out for a model with <c>BatchNorm1d</c>, which cannot train on a last batch of one row.
    /// A checkpoint resumes only under the value it was saved with. Default false (every row, every epoch).
    /// </summary>
    public bool DropLast { get; init; }

    /// <summary>Visit the training rows in a new random order each epoch (Fisher–Yates); otherwise in dataset order (after a <see cref="ValidationFraction"/> split, the rows it leaves in their dataset order). A checkpoint resumes only under the value it was saved with. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Seed of the shuffles (the trainer's <c>FastRandom</c> stream, seeded with the value's bits) and of the
    /// validation split; <see langword="null"/> draws random seeds, once per trainer (every Fit of a trainer, and every
    /// resume from its checkpoints, holds out the same rows). Default 0.
    /// </summary>
    public int? Seed { get; init; } = 0;

    /// <summary>
    /// When <c>Fit</c> gets no validation set and this is above 0, hold out this fraction of the training rows
    /// (stratified for classification). Default 0. Standardize after splitting, on the training part only, or the
    /// held-out rows leak into the statistics: for that, split with <c>Dataset.Split</c> yourself. A checkpoint resumes
    /// only under the value it was saved with (compared as set, also for a run whose Fit got a validation set).
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>
    /// Stop after this many epochs without improvement of the watched validation number; 0 never stops early.
    /// Needs a validation set. The epochs are counted over the whole run, across paused <c>Fit</c> calls and checkpoints
    /// (a checkpoint with a watch resumes only under the same Patience, <see cref="MinDelta"/>,
    /// <see cref="EarlyStoppingOn"/> and <see cref="RestoreBest"/>). Default 0.
    /// </summary>
    public int Patience { get; init; }

    /// <summary>What early stopping and the best epoch watch. Default <see cref="EarlyStoppingOn.ValidationLoss"/>.</summary>
    public EarlyStoppingOn EarlyStoppingOn { get; init; } = EarlyStoppingOn.ValidationLoss;

    /// <summary>
    /// An improvement on the best epoch so far counts only when it exceeds this (as Keras's <c>min_delta</c>): one of
    /// MinDelta or less neither resets the patience nor moves the best epoch. Default 0 (any improvement counts).
    /// </summary>
    public double MinDelta { get; init; }

    /// <summary>
    /// After training with a validation set, put back the parameters and state of the run's best epoch (when the run
    /// ends: not when a cancelled Fit pauses it; the best epoch may be one an earlier Fit of the run trained, whose copy
    /// the trainer keeps, and checkpoints save). Default true.
    /// </summary>
    public bool RestoreBest { get; init; } = true;

    internal int BatchSizeFor(int maxBatch) => BatchSize ?? Math.Min(32, maxBatch);

    internal void Validate(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (BatchSize > maxBatch)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize {BatchSize} exceeds the model's MaxBatch {maxBatch}.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "Must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(Patience, nameof(Patience));
        if (!Enum.IsDefined(EarlyStoppingOn))
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingOn), EarlyStoppingOn, "Unknown watch.");
        if (!(MinDelta >= 0 && double.IsFinite(MinDelta)))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "Must be finite and non-negative.");
    }
}
