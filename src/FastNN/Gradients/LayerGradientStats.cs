namespace FastNN.Gradients;

/// <summary>One row of a <see cref="GradientReport"/>: a layer's numbers at the newest sample and its history.</summary>
/// <remarks>Thread safety: immutable as long as the two history arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">The layer's name: its tensors' state-dict prefix: its index in a Sequential's names (<c>0</c> for <c>0.weight</c>, <c>1</c> for a Residual's <c>1.body.0.weight</c>), or in a table named otherwise the first tensor's name up to its last dot.</param>
/// <param name="LayerIndex">Index of the layer in its model.</param>
/// <param name="ParameterCount">Number of parameters the layer owns.</param>
/// <param name="GradientNorm">‖g‖₂ over all of the layer's parameter tensors.</param>
/// <param name="WeightNorm">‖θ‖₂ over the same tensors, before the step.</param>
/// <param name="UpdateRatio">‖Δθ‖₂ / ‖θ‖₂ of the step that followed the sample (NaN if none was recorded). Around 10⁻³ is the usual healthy figure.</param>
/// <param name="RatioToLast">GradientNorm divided by the last layer's (NaN when the last layer's norm is 0 or not finite).</param>
/// <param name="Health">What was flagged.</param>
/// <param name="GradientNormHistory">GradientNorm at each kept sample, oldest first (aligned with <see cref="GradientReport.Steps"/>).</param>
/// <param name="UpdateRatioHistory">UpdateRatio at each kept sample, oldest first.</param>
public sealed record LayerGradientStats(
    string Name,
    int LayerIndex,
    int ParameterCount,
    double GradientNorm,
    double WeightNorm,
    double UpdateRatio,
    double RatioToLast,
    GradientHealth Health,
    double[] GradientNormHistory,
    double[] UpdateRatioHistory);
