using FastNN.Models;

namespace FastNN.Optimizers;

/// <summary>
/// A contiguous range of the flat parameter buffer that an optimizer updates with its own learning rate and weight
/// decay, as a PyTorch param group.
/// </summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Offset">Index of the range's first element in the parameter buffer.</param>
/// <param name="Length">Number of elements in the range.</param>
/// <param name="LearningRate">
/// The group's learning rate while the optimizer's base <see cref="Optimizer{T}.LearningRate"/> is at its initial
/// value; a schedule that changes the base rate scales this one in proportion: γ_g = LearningRate · γ / γ⁰
/// (γ_g = LearningRate when γ⁰ = 0). Null: the base rate. This is what PyTorch's multiplicative schedulers (StepLR,
/// ExponentialLR, LinearLR warm-up, CosineAnnealingLR with η_min = 0) do to every group; with a cosine floor η_min &gt; 0
/// it differs: PyTorch floors every group at the same η_min, here a group's floor is η_min · LearningRate / γ⁰.
/// </param>
/// <param name="WeightDecay">The group's weight decay λ; null: the optimizer's.</param>
public sealed record ParameterGroup(int Offset, int Length, double? LearningRate = null, double? WeightDecay = null)
{
    /// <summary>
    /// The default grouping: weight decay (the optimizer's λ) on <see cref="ParameterKind.Weight"/> tensors only,
    /// none (λ = 0) on biases, normalization scales and shifts and PReLU slopes, whose decay pulls a layer towards a
    /// degenerate function rather than towards small weights. Neighbouring tensors of the same kind share a group.
    /// </summary>
    /// <param name="tensors">The model's parameter tensors (<c>Sequential&lt;T&gt;.ParameterTensors</c>).</param>
    /// <returns>Groups covering every tensor, in buffer order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    public static IReadOnlyList<ParameterGroup> DecayWeightsOnly(IReadOnlyList<ParameterTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var groups = new List<ParameterGroup>();
        foreach (ParameterTensor tensor in tensors.OrderBy(t => t.Offset))
        {
            double? decay = tensor.Kind == ParameterKind.Weight ? null : 0.0;
            if (groups.Count > 0 && groups[^1] is { } last && last.WeightDecay == decay
                && last.Offset + last.Length == tensor.Offset)
                groups[^1] = last with { Length = last.Length + tensor.Length };
            else
                groups.Add(new ParameterGroup(tensor.Offset, tensor.Length, null, decay));
        }
        return groups;
    }
}
