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
