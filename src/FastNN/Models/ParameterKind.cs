namespace FastNN.Models;

/// <summary>
/// What a parameter tensor is for: <see cref="Init"/> draws each kind its own way, and
/// <see cref="Optimizers.ParameterGroup.DecayWeightsOnly"/> and the L1/L2 penalties choose by it what weight decay and the
/// penalty apply to (weights only, by default). An optimizer itself never reads it: given no groups, it decays every tensor.
/// </summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum ParameterKind
{
    /// <summary>A weight matrix (a Dense layer's <c>weight</c>, <c>[out, in]</c>): at least 2 dimensions, from which <see cref="Init.Parameters{T}"/> takes its fans.</summary>
    Weight,
    /// <summary>An additive bias (a Dense layer's <c>bias</c>, <c>[out]</c>).</summary>
    Bias,
    /// <summary>A normalization layer's scale γ (<c>weight</c> of BatchNorm1d or LayerNorm).</summary>
    NormScale,
    /// <summary>A normalization layer's shift β (<c>bias</c> of BatchNorm1d or LayerNorm).</summary>
    NormShift,
    /// <summary>The learnable negative slope of a PReLU layer.</summary>
    PReluSlope,
}
