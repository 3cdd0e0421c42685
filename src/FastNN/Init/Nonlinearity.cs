namespace FastNN;

/// <summary>The activation that follows a layer, which sets the gain of its initialization (torch.nn.init.calculate_gain).</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum Nonlinearity
{
    /// <summary>No activation (or a linear one): gain 1.</summary>
    Linear,
    /// <summary>Logistic sigmoid: gain 1.</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent: gain 5/3.</summary>
    Tanh,
    /// <summary>ReLU: gain √2.</summary>
    Relu,
    /// <summary>Leaky ReLU with negative slope a: gain √(2 / (1 + a²)).</summary>
    LeakyRelu,
}

/// <summary>Which fan of a weight He/Kaiming initialization preserves the variance of (torch.nn.init's <c>mode</c>).</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum FanMode
{
    /// <summary>The inputs' count: preserves the variance of activations in the forward pass (PyTorch's default).</summary>
    FanIn,
    /// <summary>The outputs' count: preserves the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>How <see cref="Init.Parameters{T}"/> initializes a model's weight tensors.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum WeightInit
{
    /// <summary>PyTorch's nn.Linear default: weight and bias uniform in (−1/√fan_in, 1/√fan_in).</summary>
    PyTorchLinear,
    /// <summary>Glorot/Xavier uniform weights, zero biases.</summary>
    GlorotUniform,
    /// <summary>Glorot/Xavier normal weights, zero biases.</summary>
    GlorotNormal,
    /// <summary>He/Kaiming uniform weights, zero biases.</summary>
    HeUniform,
    /// <summary>He/Kaiming normal weights, zero biases.</summary>
    HeNormal,
}
