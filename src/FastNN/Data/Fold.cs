namespace FastNN.Data;

/// <summary>One fold of a cross-validation: the rows to train on and the rows to validate on (disjoint).</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Index">0-based fold number.</param>
/// <param name="TrainRows">Row indices of the training part, ascending.</param>
/// <param name="ValidationRows">Row indices of the held-out part, ascending.</param>
public sealed record Fold(int Index, int[] TrainRows, int[] ValidationRows);
