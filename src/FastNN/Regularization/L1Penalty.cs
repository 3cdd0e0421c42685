using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>The L1 penalty (lasso): <c>R = λ · Σ |w|</c>, whose subgradient <c>λ·sign(w)</c> (0 at w = 0, as torch.abs's) is added to the gradient.</summary>
/// <remarks>
/// <para>It pulls every weight towards zero by the same amount whatever its size, which drives small weights to (near)
/// zero: sparsity, unlike the L2 penalty or weight decay, which shrink in proportion to the weight. It is a term of
/// the loss and passes through the optimizer; weight decay (coupled or decoupled) is the optimizer's and always L2-like.</para>
/// <para>Applies to <see cref="ParameterKind.Weight"/> tensors unless other kinds are given.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class L1Penalty<T> : IRegularizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterKind[] _kinds;

    /// <summary>Creates an L1 penalty.</summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="kinds">The tensor kinds penalized (default: weights only).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, infinite or NaN.</exception>
    public L1Penalty(double lambda, IEnumerable<ParameterKind>? kinds = null)
    {
        Lambda = Penalty.CheckLambda(lambda);
        _kinds = Penalty.Kinds(kinds);
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
        Penalty.CheckBuffers(parameters, gradients, tensors);
        T lambda = T.CreateChecked(Lambda);
        double sumOfMagnitudes = 0;
        for (int k = 0; k < tensors.Count; k++) // an index loop: foreach over the interface would allocate an enumerator
        {
            ParameterTensor tensor = tensors[k];
            if (Array.IndexOf(_kinds, tensor.Kind) < 0) continue;
            ReadOnlySpan<T> w = parameters.Slice(tensor.Offset, tensor.Length);
            Span<T> g = gradients.Slice(tensor.Offset, tensor.Length);
            sumOfMagnitudes += double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(w));
            for (int i = 0; i < w.Length; i++)
            {
                if (w[i] > T.Zero) g[i] += lambda;                  // g ← g + λ·sign(w)
                else if (w[i] < T.Zero) g[i] -= lambda;
            }
        }
        return T.CreateChecked(Lambda * sumOfMagnitudes);           // R = λ·Σ|w|
    }
}
