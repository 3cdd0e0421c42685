namespace FastNN.Training;

/// <summary>
/// The early-stopping watch of a run, which the trainer keeps from one <c>Fit</c> to the next and checkpoints save:
/// the best epoch's result so far (null while every watched number has been NaN), the validated epochs completed
/// since it without an improvement (since the watch began, when there is no best yet), and the validation rows the
/// epochs are watched on, which every later Fit of the run must have. The best epoch's parameters and state, kept when
/// <see cref="TrainerOptions.RestoreBest"/> applies, live in the trainer's buffers beside it.
/// </summary>
/// <remarks>Thread safety: an immutable record.</remarks>
internal sealed record EarlyStoppingState(EpochResult? Best, int EpochsSinceBest, int ValidationRows)
{
    /// <summary>The number the watch compares, higher is better: the negated validation loss, or the validation metric.</summary>
    public static double Score(EpochResult epoch, EarlyStoppingOn on) =>
        on == EarlyStoppingOn.ValidationLoss ? -epoch.Validation!.Loss : epoch.Validation!.Metric;

    /// <summary>
    /// The watch after one more validated epoch, by the rule <see cref="TrainerOptions"/> documents: <paramref name="epoch"/>
    /// is the new best when its number is not NaN and beats the best by more than MinDelta (the first non-NaN one
    /// always); otherwise one more epoch without improvement.
    /// </summary>
    public EarlyStoppingState After(EpochResult epoch, TrainerOptions options)
    {
        double score = Score(epoch, options.EarlyStoppingOn);
        // A NaN score (a diverged model, an R² of one row) is no improvement, not even on the first epoch: nothing beats NaN.
        bool improved = !double.IsNaN(score) && (Best is null || score > Score(Best, options.EarlyStoppingOn) + options.MinDelta);
        return improved ? this with { Best = epoch, EpochsSinceBest = 0 } : this with { EpochsSinceBest = EpochsSinceBest + 1 };
    }

    /// <summary>Whether early stopping has ended the run: Patience epochs (at least one) in a row without improvement.</summary>
    public bool Stops(TrainerOptions options) => options.Patience > 0 && EpochsSinceBest >= options.Patience;
}
