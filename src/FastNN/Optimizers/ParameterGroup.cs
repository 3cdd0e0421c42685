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
/// The group's own initial learning rate (PyTorch's per-group <c>lr</c>); null: the base rate. A schedule applied with
/// <see cref="Optimizer{T}.ApplySchedule"/> (as the trainer does) runs the group from this rate, as PyTorch's
/// schedulers do every param group: the built-in schedules give their formula with this rate in place of γ0, so cosine
/// annealing floors every group at the same η_min (<see cref="FastNN.Schedules.ILearningRateSchedule.GroupLearningRate"/>).
/// When the base <see cref="Optimizer{T}.LearningRate"/> is set directly instead, the group follows it in proportion:
/// γ_g = LearningRate · γ / γ⁰ (γ_g = LearningRate when γ⁰ = 0).
/// </param>
/// <param name="WeightDecay">The group's weight decay λ; null: the optimizer's.</param>
public sealed record ParameterGroup(int Offset, int Length, double? LearningRate = null, double? WeightDecay = null)
{
    /// <summary>
    /// The default grouping: weight decay (the optimizer's λ) on <see cref="ParameterKind.Weight"/> tensors only,
    /// none (λ = 0) on biases, normalization scales and shifts and PReLU slopes, whose decay pulls a layer towards a
    /// degenerate function rather than towards small weights. Neighbouring tensors with the same decay share a group, whatever their kinds (a bias and the normalization scale after it are one undecayed group).
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
