namespace FastNN.Training;

/// <summary>A model's loss and task metrics on a dataset. Metrics that do not apply to the task are NaN.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Loss">Mean loss per row (without any regularization penalty).</param>
/// <param name="Accuracy">Fraction of rows classified right (classification), else NaN.</param>
/// <param name="Rmse">Root mean squared error (regression), else NaN.</param>
/// <param name="RSquared">Coefficient of determination R² (regression), else NaN.</param>
public sealed record Evaluation(double Loss, double Accuracy, double Rmse, double RSquared)
{
    /// <summary>The headline metric, higher is better: <see cref="Accuracy"/> for classification, <see cref="RSquared"/> for regression.</summary>
    public double Metric => double.IsNaN(Accuracy) ? RSquared : Accuracy;
}
