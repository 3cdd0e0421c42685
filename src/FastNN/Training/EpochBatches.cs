namespace FastNN.Training;

/// <summary>
/// The batches a run's epochs were last trained in: the training rows (after any validation split) and the batch size as
/// run, the trainer's batch size capped at those rows (a batch above them runs as one batch of all of them). A checkpoint
/// records it, so that a run resumed between epochs in batches of another size is refused.
/// </summary>
/// <remarks>Thread safety: an immutable record.</remarks>
internal sealed record EpochBatches(int TrainRows, int BatchSize);
