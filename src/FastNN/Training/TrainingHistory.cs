using System.Text;

namespace FastNN.Training;

/// <summary>The epochs of one <c>Fit</c>, and the best epoch and early stopping of the run they belong to.</summary>
/// <remarks>
/// <para>A run paused (a cancelled <c>Fit</c>, or a checkpoint) and resumed is one run: its early-stopping watch carries
/// over, so the history of the Fit that ends it names the same best epoch and stop as an uninterrupted run's, even when
/// the best epoch was run by an earlier Fit (it is then not in <see cref="Epochs"/>, but <see cref="Best"/> has it).</para>
/// <para>Thread safety: immutable (init-only); safe to share between threads.</para>
/// </remarks>
/// <param name="Epochs">One result per epoch this <c>Fit</c> ran, in order (numbered as the trainer counts them, so a resumed run starts after the saved epochs).</param>
/// <param name="BestEpoch">Number of the run's epoch with the best watched validation number so far (perhaps run by an earlier Fit of the run), or 0 without a validation set or when that number was NaN in every epoch.</param>
/// <param name="StoppedEarly">Whether early stopping ended the run before its last epoch (in this Fit, or in an earlier one of the run).</param>
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, int BestEpoch, bool StoppedEarly)
{
    /// <summary>The best epoch's result as the trainer recorded it, which may come from an earlier Fit of the run.</summary>
    internal EpochResult? RunBest { get; init; }

    /// <summary>The result of the best epoch (from an earlier Fit of the run when it is not in <see cref="Epochs"/>), or of the last one when <see cref="BestEpoch"/> is 0.</summary>
    /// <exception cref="InvalidOperationException">No epoch ran and there is no best epoch, or the best epoch is neither in <see cref="Epochs"/> nor recorded by the trainer.</exception>
    public EpochResult Best => BestEpoch > 0
        ? Epochs.FirstOrDefault(e => e.Epoch == BestEpoch) ?? (RunBest?.Epoch == BestEpoch ? RunBest
            : throw new InvalidOperationException($"The best epoch, {BestEpoch}, is not among this history's epochs."))
        : Epochs.Count > 0 ? Epochs[^1] : throw new InvalidOperationException(
            "No epoch ran in this Fit (the trainer had already completed its epochs, early stopping had ended its run, or the Fit was cancelled before an epoch completed), and there is no best epoch.");

    // The record's text: every epoch (not the list's type name), the best epoch's number, the stop, and the best
    // epoch's result only when an earlier Fit ran it (otherwise it is among the epochs); never throws, unlike Best.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendList(nameof(Epochs), Epochs).Append($", {nameof(BestEpoch)} = {BestEpoch}, {nameof(StoppedEarly)} = {StoppedEarly}");
        if (BestEpoch > 0 && Epochs?.Any(e => e.Epoch == BestEpoch) != true && RunBest?.Epoch == BestEpoch)
            builder.Append($", {nameof(Best)} = {RunBest}");
        return true;
    }
}
