namespace FastNN.Training;

/// <summary>One point of a grid search: a learning rate and a regularization strength.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="LearningRate">The optimizer's learning rate.</param>
/// <param name="Lambda">The regularization strength: weight decay or the L2/L1 λ, as the model factory uses it.</param>
public sealed record GridPoint(double LearningRate, double Lambda);
