namespace FastNN;

/// <summary>How <see cref="Init.Parameters{T}"/> initializes a model's weight tensors.</summary>
/// <remarks>Glorot and He draw with the gain of <see cref="Init.Parameters{T}"/>'s <c>nonlinearity</c>, whose default is
/// ReLU's √2: under the defaults Glorot's bound or σ is √2 times that of torch.nn.init.xavier_uniform_ and
/// xavier_normal_, whose own default gain is 1 (pass <see cref="Nonlinearity.Linear"/> for it); He's is
/// kaiming_uniform_'s and kaiming_normal_'s with <c>nonlinearity='relu'</c>.
/// <para>Thread safety: an enum; its values are constants, safe on any thread.</para></remarks>
public enum WeightInit
{
    /// <summary>PyTorch's nn.Linear default: weight and bias uniform in (−1/√fan_in, 1/√fan_in).</summary>
    PyTorchLinear,
    /// <summary>Glorot/Xavier uniform weights, U(−a, a) with a = gain·√(6 / (fan_in + fan_out)); zero biases.</summary>
    GlorotUniform,
    /// <summary>Glorot/Xavier normal weights, N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)); zero biases.</summary>
    GlorotNormal,
    /// <summary>He/Kaiming uniform weights, U(−a, a) with a = gain·√(3 / fan) (fan_in by default); zero biases.</summary>
    HeUniform,
    /// <summary>He/Kaiming normal weights, N(0, σ²) with σ = gain / √fan (fan_in by default); zero biases.</summary>
    HeNormal,
}
