namespace FastNN.Models;

/// <summary>
/// What a parameter tensor is for: <see cref="Init"/> draws each kind its own way, and
/// <see cref="Optimizers.ParameterGroup.DecayWeightsOnly"/> and the L1/L2 penalties choose by it what weight decay and the
/// penalty apply to (weights only, by default). An optimizer itself never reads it: given no groups, it decays every tensor.
/// </summary>
/// <remarks>
/// <para>A layer of your own declares each learnable tensor with the kind whose rules suit it; only those three read the kind
/// (a model initializes through the layer's own <see cref="Layers.ILayer{T}.Initialize"/>; model files do not record it):</para>
/// <list type="bullet">
/// <item><see cref="Weight"/>: a matrix <c>[out, in, …]</c> that <see cref="Init.Parameters{T}"/> draws by its fans, and that
/// decay and the penalties shrink. Init.Parameters refuses one of fewer than 2 dimensions, as PyTorch's fan-based init does.</item>
/// <item><see cref="Bias"/>: a bias beside a Weight of the same module (<c>bias</c> beside <c>weight</c>, from which the
/// PyTorch scheme takes fan_in; Init.Parameters refuses a Bias with no such Weight under that scheme).</item>
/// <item>Any other tensor, such as a learnable scale or temperature (Swish's β), or an offset:
/// <see cref="NormScale"/> (set to 1) or <see cref="NormShift"/> (set to 0) by Init.Parameters, neither decayed nor
/// penalized by default.</item>
/// </list>
/// <para>Thread safety: an enum; its values are constants, safe on any thread.</para>
/// </remarks>
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
