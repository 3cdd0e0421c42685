using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Models;

namespace FastNN.Gradients;

/// <summary>
/// Detects NaN and infinite gradients before the optimizer step and applies a policy: throw naming the tensor and
/// layer, or skip the step and count it. Checking allocates nothing.
/// </summary>
/// <remarks>Thread safety: not thread-safe: it counts skipped steps as training goes; one thread at a time, the one
/// that trains the model.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class NonFiniteGradientGuard<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterTensor[] _tensors;
    private readonly int _length;

    /// <summary>Creates a guard over a model's tensors.</summary>
    /// <param name="tensors">The model's parameter tensors (<c>Sequential&lt;T&gt;.ParameterTensors</c>).</param>
    /// <param name="policy">What to do on a non-finite gradient (default: throw).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown policy, or a tensor with a negative offset or length, or one ending past the largest array.</exception>
    public NonFiniteGradientGuard(IReadOnlyList<ParameterTensor> tensors, NonFiniteGradientPolicy policy = NonFiniteGradientPolicy.Throw)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (policy is not (NonFiniteGradientPolicy.Throw or NonFiniteGradientPolicy.SkipStep))
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown policy.");
        _tensors = [.. tensors.OrderBy(t => t.Offset)];
        foreach (ParameterTensor t in _tensors)
        {
            if (t.Offset < 0 || t.Length < 0 || (long)t.Offset + t.Length > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(tensors), $"Tensor '{t.Name}' has offset {t.Offset} and length {t.Length}; no gradient buffer holds it.");
            _length = Math.Max(_length, t.Offset + t.Length);
        }
        Policy = policy;
    }

    /// <summary>The policy applied by <see cref="Check"/>.</summary>
    public NonFiniteGradientPolicy Policy { get; }

    /// <summary>The shortest gradient buffer the tensor table fits in (the end of its last tensor).</summary>
    internal int RequiredLength => _length;

    /// <summary>How many steps <see cref="Check"/> told the caller to skip.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Checks every tensor's gradients: true when all are finite and the step should be taken.</summary>
    /// <param name="gradients">The gradient buffer.</param>
    /// <returns>True: take the step. False (<see cref="NonFiniteGradientPolicy.SkipStep"/> only): skip it; <see cref="SkippedSteps"/> was incremented.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the tensors need.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient is NaN or infinite and the policy is <see cref="NonFiniteGradientPolicy.Throw"/>.</exception>
    public bool Check(ReadOnlySpan<T> gradients)
    {
        if (gradients.Length < _length)
            throw new ArgumentException($"gradients has {gradients.Length} elements but the tensors need {_length}.", nameof(gradients));
        foreach (ParameterTensor tensor in _tensors)
        {
            ReadOnlySpan<T> g = gradients.Slice(tensor.Offset, tensor.Length);
            if (TensorPrimitives.IsFiniteAll(g))
                continue;
            if (Policy == NonFiniteGradientPolicy.SkipStep)
            {
                SkippedSteps++;
                return false;
            }
            int index = 0;
            while (T.IsFinite(g[index])) index++;
            throw new NonFiniteGradientException(tensor.Name, tensor.LayerIndex, index, double.CreateTruncating(g[index]));
        }
        return true;
    }
}
