using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>
/// What <see cref="L1Penalty{T}"/> and <see cref="L2Penalty{T}"/> share: λ, the tensor kinds they apply to, the
/// argument checks and the walk over the penalized tensors. Each penalty supplies one tensor's gradient and its value.
/// </summary>
/// <remarks><para>The value is summed in T (then across tensors in double); where that sum overflows (float weights past
/// 1.8e19 squared, double ones past 1.3e154, or a total past T's range) it is redone with every weight scaled by the power
/// of two that takes the largest into [1, 2) and scaled back after λ, so the penalty is finite wherever its value fits
/// in T (λ/2·Σw² = 2.7e36 for float weights near 2e19 with λ = 1e-3), and +∞ only where it does not.</para>
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Penalty<T> : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterKind[] _kinds;

    private protected Penalty(double lambda, IEnumerable<ParameterKind>? kinds)
    {
        if (!(lambda >= 0 && double.IsFinite(lambda)))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and non-negative.");
        // λ multiplies the gradients in T: one T cannot hold would make them ±∞ (NaN at w = 0), refused as an optimizer's λ is.
        HyperParameter.FiniteIn<T>(lambda, nameof(lambda), lambda);
        Lambda = lambda;
        _kinds = kinds is null ? [ParameterKind.Weight] : [.. kinds.Distinct()];
        foreach (ParameterKind kind in _kinds)
        {
            if (!Enum.IsDefined(kind))
                throw new ArgumentOutOfRangeException(nameof(kinds), kind, "Unknown parameter kind.");
        }
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
            if (!Penalizes(tensor)) continue;
            sum += AddGradient(parameters.Slice(tensor.Offset, tensor.Length), gradients.Slice(tensor.Offset, tensor.Length), lambda);
        }
        // A sum past T's range (squares of float weights past 1.8e19, of double ones past 1.3e154, or their total) is
        // redone scaled: rare, so the fast sum in T stays the only pass of a finite one.
        return T.CreateChecked(double.IsFinite(sum) ? Value(sum, 0) : ScaledValue(parameters, tensors));
    }

    /// <summary>
    /// The penalty from Σ term(w·2^-e) over the penalized tensors, e the exponent of the largest |w| (an exact scaling,
    /// as BLAS's nrm2 guards its squares), scaled back by <see cref="Value"/> after λ: finite wherever the penalty is.
    /// +∞ or NaN when a weight is, as the plain sum.
    /// </summary>
    private double ScaledValue(ReadOnlySpan<T> parameters, IReadOnlyList<ParameterTensor> tensors)
    {
        double max = 0;
        for (int k = 0; k < tensors.Count; k++)
            if (Penalizes(tensors[k]))
                max = Math.Max(max, double.CreateTruncating(Reductions.MaxAbs(parameters.Slice(tensors[k].Offset, tensors[k].Length))));
        if (max == 0 || !double.IsFinite(max))
            return Value(max, 0);
        int exponent = Math.ILogB(max);
        double sum = 0;
        for (int k = 0; k < tensors.Count; k++)
        {
            if (!Penalizes(tensors[k])) continue;
            foreach (T w in parameters.Slice(tensors[k].Offset, tensors[k].Length))
                sum += Term(Math.ScaleB(double.CreateTruncating(w), -exponent));
        }
        return Value(sum, exponent);
    }

    private bool Penalizes(ParameterTensor tensor) => Array.IndexOf(_kinds, tensor.Kind) >= 0;

    /// <summary>Adds the penalty's gradient for one tensor <paramref name="w"/> to <paramref name="g"/> and returns the tensor's share of the sum (Σ|w| or Σw²).</summary>
    private protected abstract double AddGradient(ReadOnlySpan<T> w, Span<T> g, T lambda);

    /// <summary>One weight's share of the sum, |w| or w², in double.</summary>
    private protected abstract double Term(double w);

    /// <summary>The penalty from the sum over every penalized tensor of weights scaled by 2^-<paramref name="exponent"/>, in one rounding.</summary>
    private protected abstract double Value(double sum, int exponent);

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
