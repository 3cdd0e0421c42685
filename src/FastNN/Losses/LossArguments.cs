using System.Numerics;

namespace FastNN.Losses;

/// <summary>Shape checks shared by the losses.</summary>
internal static class LossArguments
{
    // Returns the features per row; targetPerRow: the target holds one class index per row instead of one value per prediction.
    public static int Check<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch, bool targetPerRow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (prediction.Length == 0 || prediction.Length % batch != 0)
            throw new ArgumentException($"The prediction has {prediction.Length} elements, which is not [batch = {batch}, features ≥ 1].", nameof(prediction));
        int features = prediction.Length / batch;
        int expectedTarget = targetPerRow ? batch : prediction.Length;
        if (target.Length != expectedTarget)
            throw new ArgumentException(
                $"The target has {target.Length} elements; expected {(targetPerRow ? $"one class index per row, [{batch}]" : $"the prediction's shape [{batch}, {features}]")}.",
                nameof(target));
        if (gradient.Length != prediction.Length)
            throw new ArgumentException($"The gradient has {gradient.Length} elements; expected the prediction's shape [{batch}, {features}].", nameof(gradient));
        return features;
    }
}
