namespace FastNN;

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
