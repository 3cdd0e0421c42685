using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>
/// An activation layer whose derivative its output gives (f′ from y = f(z)), so that a chain runs it fused with the
/// <see cref="Dense{T}"/> layer before it: the bias and f applied in one pass over the product, and on the way back
/// dz = dy·f′ and the bias gradient in one pass (see <see cref="LayerChain{T}"/>).
/// </summary>
internal interface IOutputDerivative
{
    /// <summary>f, as the fused kernels name it.</summary>
    Activation Activation { get; }
}
