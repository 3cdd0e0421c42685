namespace FastNN.Training;

/// <summary>The kind of problem a model solves; it chooses the metrics a <see cref="Trainer{T}"/> reports.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum TaskKind
{
    /// <summary>One real-valued output per row; metrics RMSE and R² (R² is the headline metric). Built-in losses: <see cref="Losses.MseLoss{T}"/>, <see cref="Losses.HuberLoss{T}"/>.</summary>
    Regression,
    /// <summary>One logit per row, targets 0 or 1; metric accuracy with the logit thresholded at 0. Built-in loss: <see cref="Losses.BceWithLogitsLoss{T}"/>.</summary>
    BinaryClassification,
    /// <summary>One score per class per row, targets class indices; metric accuracy of the argmax. Built-in loss: <see cref="Losses.SoftmaxCrossEntropyLoss{T}"/>.</summary>
    MultiClassClassification,
}
