namespace FastNN.Gradients;

/// <summary>What <see cref="NonFiniteGradientGuard{T}"/> does when a gradient is NaN or infinite.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum NonFiniteGradientPolicy
{
    /// <summary>Throw a <see cref="NonFiniteGradientException"/> naming the tensor, its layer and the element.</summary>
    Throw,
    /// <summary>Tell the caller to skip the optimizer step, and count the skipped steps (as mixed-precision loss scalers do).</summary>
    SkipStep,
}
