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
        // In place over the prediction is fine (every loss reads an element, or a row, before writing it); any other sharing is not.
        if (prediction.Overlaps(gradient, out int offset) && offset != 0)
            throw new ArgumentException($"The gradient partially overlaps the prediction (offset {offset}); it must be the prediction itself (in place) or separate.", nameof(gradient));
        if (target.Overlaps(gradient))
            throw new ArgumentException("The gradient overlaps the target; it must not share memory with it.", nameof(gradient));
        return features;
    }
}
