namespace FastNN.Training;

/// <summary>The epochs of one <c>Fit</c> and which one was best.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Epochs">One result per epoch this <c>Fit</c> ran, in order (numbered as the trainer counts them, so a resumed run starts after the saved epochs).</param>
/// <param name="BestEpoch">Number of the epoch with the best watched validation number, or 0 without a validation set or when that number was NaN in every epoch.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, int BestEpoch, bool StoppedEarly)
{
    /// <summary>The result of the best epoch, or of the last one when <see cref="BestEpoch"/> is 0.</summary>
    /// <exception cref="InvalidOperationException">No epoch ran.</exception>
    public EpochResult Best => BestEpoch > 0 ? Epochs.First(e => e.Epoch == BestEpoch) : Epochs.Count > 0
        ? Epochs[^1] : throw new InvalidOperationException("No epoch ran: the trainer had already completed its epochs.");
}
