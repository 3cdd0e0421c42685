namespace FastNN.Training;

/// <summary>
/// An epoch a <c>Fit</c> stopped part-way (cancelled, or ended by a step that threw), which the next Fit (or a checkpoint's) finishes: the shuffling
/// stream's state before the epoch's row order was drawn (to draw the same order again), the rows of that order already
/// trained on, the loss summed over the rows whose step was taken (for the epoch's mean loss), and the training rows and
/// batch size the order and its steps were drawn for, which the Fit that finishes the epoch must have too.
/// </summary>
/// <remarks>Thread safety: an immutable record.</remarks>
internal sealed record EpochInProgress((ulong, ulong, ulong, ulong) ShuffleRandom, int Rows, double LossSum, int RowsStepped, int TrainRows, int BatchSize);
