namespace FastNN.Training;

/// <summary>The epochs of one <c>Fit</c> and which one was best.</summary>
/// <param name="Epochs">One result per epoch run, in order.</param>
/// <param name="BestEpoch">1-based epoch with the best watched validation number, or 0 without a validation set.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, int BestEpoch, bool StoppedEarly)
{
    /// <summary>The result of the best epoch, or of the last one without a validation set.</summary>
    public EpochResult Best => BestEpoch > 0 ? Epochs[BestEpoch - 1] : Epochs[^1];
}
