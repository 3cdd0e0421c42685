using System.Numerics;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>
/// What <see cref="L1Penalty{T}"/> and <see cref="L2Penalty{T}"/> share: λ, the tensor kinds they apply to, the
/// argument checks and the walk over the penalized tensors. Each penalty supplies one tensor's gradient and its value.
/// </summary>
/// <remarks>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Penalty<T> : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterKind[] _kinds;

    private protected Penalty(double lambda, IEnumerable<ParameterKind>? kinds)
    {
        Lambda = lambda >= 0 && double.IsFinite(lambda) ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and non-negative.");
        _kinds = kinds is null ? [ParameterKind.Weight] : [.. kinds.Distinct()];
    }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <summary>The tensor kinds penalized.</summary>
    public IReadOnlyList<ParameterKind> Kinds => _kinds;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">The buffers' lengths differ, or a tensor lies outside them.</exception>
    public T AddTo(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        CheckBuffers(parameters, gradients, tensors);
        T lambda = T.CreateChecked(Lambda);
        double sum = 0;
        for (int k = 0; k < tensors.Count; k++) // an index loop: foreach over the interface would allocate an enumerator
        {
            ParameterTensor tensor = tensors[k];
            if (Array.IndexOf(_kinds, tensor.Kind) < 0) continue;
            sum += AddGradient(parameters.Slice(tensor.Offset, tensor.Length), gradients.Slice(tensor.Offset, tensor.Length), lambda);
        }
        return T.CreateChecked(Value(sum));
    }

    /// <summary>Adds the penalty's gradient for one tensor <paramref name="w"/> to <paramref name="g"/> and returns the tensor's share of the sum (Σ|w| or Σw²).</summary>
    private protected abstract double AddGradient(ReadOnlySpan<T> w, Span<T> g, T lambda);

    /// <summary>The penalty from the sum over every penalized tensor.</summary>
    private protected abstract double Value(double sum);

    private static void CheckBuffers(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"gradients has {gradients.Length} elements but parameters has {parameters.Length}.", nameof(gradients));
        for (int k = 0; k < tensors.Count; k++)
        {
            ParameterTensor t = tensors[k];
            if (t.Offset < 0 || t.Length < 0 || (long)t.Offset + t.Length > parameters.Length)
                throw new ArgumentException($"Tensor '{t.Name}' (offset {t.Offset}, length {t.Length}) lies outside the {parameters.Length} parameters.", nameof(tensors));
        }
    }
}
