namespace FastNN;

/// <summary>Which fan of a weight He/Kaiming initialization preserves the variance of (torch.nn.init's <c>mode</c>).</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum FanMode
{
    /// <summary>The inputs' count: preserves the variance of activations in the forward pass (PyTorch's default).</summary>
    FanIn,
    /// <summary>The outputs' count: preserves the variance of gradients in the backward pass.</summary>
    FanOut,
}
