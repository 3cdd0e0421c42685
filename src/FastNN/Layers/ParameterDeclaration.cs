using FastNN.Models;

namespace FastNN.Layers;

/// <summary>A learnable tensor a layer declares: its name relative to the layer, its shape and what it is for.</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">PyTorch state-dict name relative to the layer, such as <c>weight</c> or <c>body.0.bias</c>.</param>
/// <param name="Shape">Row-major shape.</param>
/// <param name="Kind">What the tensor is for: how <see cref="Init"/> draws it, and which tensors
/// <see cref="Optimizers.ParameterGroup.DecayWeightsOnly"/> and the L1/L2 penalties (by default) apply to. An optimizer
/// given no groups decays every tensor whatever its kind. For a tensor of a layer of your own that is neither a weight
/// matrix nor its bias, see <see cref="ParameterKind"/>'s remarks.</param>
public sealed record ParameterDeclaration(string Name, int[] Shape, ParameterKind Kind)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length => TensorShape.Length(Shape);
}
