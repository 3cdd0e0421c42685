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
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class L1Penalty<T> : Penalty<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an L1 penalty.</summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="kinds">The tensor kinds penalized (default: weights only).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, infinite or NaN, or not finite in <typeparamref name="T"/> (1e39 in float), or a kind is not a <see cref="ParameterKind"/>.</exception>
    public L1Penalty(double lambda, IEnumerable<ParameterKind>? kinds = null)
        : base(lambda, kinds)
    {
    }

    private protected override double AddGradient(ReadOnlySpan<T> w, Span<T> g, T lambda)
    {
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] > T.Zero) g[i] += lambda;                  // g ← g + λ·sign(w)
            else if (w[i] < T.Zero) g[i] -= lambda;
        }
        return double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(w));
    }

    private protected override double Term(double w) => Math.Abs(w);

    private protected override double Value(double sum, int exponent) => Math.ScaleB(Lambda * sum, exponent);   // R = λ·Σ|w|
}
