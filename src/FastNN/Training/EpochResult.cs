namespace FastNN.Training;

/// <summary>What happened in one epoch, as passed to progress callbacks and kept in the history.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Epoch">1-based epoch number, counted over the trainer's life (a resumed run continues the count).</param>
/// <param name="TrainLoss">Mean over the epoch's rows of the training objective (loss plus any penalty), in training mode, as the parameters moved (rows of skipped steps, and the incomplete last batch that <see cref="TrainerOptions.DropLast"/> skips, left out; NaN if every step was skipped).</param>
/// <param name="Validation">Loss and metrics on the validation rows at the end of the epoch, or null without a validation set.</param>
/// <param name="LearningRate">The optimizer's learning rate during the epoch's last step.</param>
/// <param name="Steps">Optimizer steps the trainer has taken so far (<see cref="Trainer{T}.Steps"/>: over the whole run, a checkpoint's steps included when the trainer resumed from one; steps the guard skipped are not counted).</param>
/// <param name="Elapsed">Wall time of the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, Evaluation? Validation, double LearningRate, long Steps, TimeSpan Elapsed);
