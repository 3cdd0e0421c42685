namespace FastNN.Training;

/// <summary>Which validation number early stopping and best-epoch selection watch.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum EarlyStoppingOn
{
    /// <summary>The validation loss, lower is better (the default: it moves even when accuracy is flat). It is the loss alone, <see cref="Evaluation.Loss"/>: without the trainer's regularization penalty, which <see cref="EpochResult.TrainLoss"/> includes.</summary>
    ValidationLoss,
    /// <summary>The validation <see cref="Evaluation.Metric"/> (accuracy or R²), higher is better.</summary>
    ValidationMetric,
}
