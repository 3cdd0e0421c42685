namespace FastNN.Cli.Training;

/// <summary>The optimizer, its schedule and the penalties.</summary>
/// <param name="Name"><c>sgd</c>, <c>rmsprop</c>, <c>adam</c> or <c>adamw</c>.</param>
/// <param name="LearningRate">The base learning rate.</param>
/// <param name="Momentum">Momentum of sgd and rmsprop.</param>
/// <param name="Nesterov">Nesterov momentum (sgd).</param>
/// <param name="WeightDecay">Weight decay on weight matrices only: decoupled for adamw, coupled into the gradient otherwise.</param>
/// <param name="L1">λ of an L1 penalty on weight matrices (0: none).</param>
/// <param name="L2">λ of an L2 penalty λ/2·Σw² on weight matrices (0: none).</param>
/// <param name="Schedule">The learning-rate schedule over epochs.</param>
/// <param name="Warmup">Epochs of linear warm-up before the schedule.</param>
/// <param name="ClipNorm">Clip gradients to this global L2 norm, or null.</param>
/// <param name="ClipValue">Clamp every gradient into [−ClipValue, ClipValue] (before any norm clipping), or null.</param>
internal sealed record OptimizerSettings(string Name, double LearningRate, double Momentum, bool Nesterov, double WeightDecay,
    double L1, double L2, ScheduleSpec Schedule, int Warmup, double? ClipNorm, double? ClipValue);
