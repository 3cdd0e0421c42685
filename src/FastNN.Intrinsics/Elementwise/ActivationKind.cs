namespace FastNN.Intrinsics;

/// <summary>The activation functions that <see cref="Rows.AddBiasActivation{T}"/> can fuse with the bias add.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum ActivationKind
{
    /// <summary>f(z) = z.</summary>
    Identity,

    /// <summary>See <see cref="Activations.Sigmoid{T}"/>.</summary>
    Sigmoid,

    /// <summary>See <see cref="Activations.Tanh{T}"/>.</summary>
    Tanh,

    /// <summary>See <see cref="Activations.Relu{T}"/>.</summary>
    Relu,

    /// <summary>See <see cref="Activations.LeakyRelu{T}"/>; <see cref="Activation.Parameter"/> is the negative slope.</summary>
    LeakyRelu,

    /// <summary>See <see cref="Activations.Elu{T}"/>; <see cref="Activation.Parameter"/> is alpha.</summary>
    Elu,

    /// <summary>See <see cref="Activations.Gelu{T}"/>.</summary>
    Gelu,

    /// <summary>See <see cref="Activations.GeluTanh{T}"/>.</summary>
    GeluTanh,

    /// <summary>See <see cref="Activations.Silu{T}"/>.</summary>
    Silu,

    /// <summary>See <see cref="Activations.Softplus{T}"/>; <see cref="Activation.Parameter"/> is beta, <see cref="Activation.Threshold"/> the threshold.</summary>
    Softplus,
}
