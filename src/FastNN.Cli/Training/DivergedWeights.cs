using System.Globalization;
using System.Numerics;
using FastNN.Models;

namespace FastNN.Cli.Training;

/// <summary>
/// Weights a run left NaN or infinite. With no guard, a step whose gradient is not finite under a finite loss (or whose
/// update overflows) is taken, and the next step's loss tells the divergence; the last step has no next one.
/// </summary>
internal static class DivergedWeights
{
    /// <summary>"weight 'name' holds NaN (element i)" for the first weight that is not finite, or null.</summary>
    public static string? Problem<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            ReadOnlySpan<T> values = model.Parameters.Slice(tensor.Offset, tensor.Length);
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i]))
                    return string.Create(CultureInfo.InvariantCulture, $"weight '{tensor.Name}' holds {values[i]} (element {i})");
            }
        }
        return null;
    }
}
