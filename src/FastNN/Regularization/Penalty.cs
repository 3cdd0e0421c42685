using System.Numerics;
using FastNN.Models;

namespace FastNN.Regularization;

/// <summary>What L1Penalty and L2Penalty share: λ, the tensor kinds they apply to, and the walk over the tensors.</summary>
internal static class Penalty
{
    public static double CheckLambda(double lambda)
        => lambda >= 0 && double.IsFinite(lambda) ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and non-negative.");

    public static ParameterKind[] Kinds(IEnumerable<ParameterKind>? kinds) => kinds is null ? [ParameterKind.Weight] : [.. kinds.Distinct()];

    public static void CheckBuffers<T>(ReadOnlySpan<T> parameters, Span<T> gradients, IReadOnlyList<ParameterTensor> tensors)
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
