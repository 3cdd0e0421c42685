namespace FastNN.Training;

/// <summary>How a model trained on one fold's training rows did on that fold's validation rows.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Fold">0-based fold number.</param>
/// <param name="TrainRows">Number of training rows.</param>
/// <param name="ValidationRows">Number of validation rows.</param>
/// <param name="Validation">Loss and metrics on the validation rows.</param>
public sealed record FoldResult(int Fold, int TrainRows, int ValidationRows, Evaluation Validation);
