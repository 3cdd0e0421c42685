using System.Globalization;
using System.Numerics;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>
/// Weights a run left NaN or infinite, or finite but so large that the network's outputs (or their loss) overflow to NaN
/// or ±∞. With no guard, a step whose gradient is not finite under a finite loss (or whose update overflows) is taken,
/// and the next step's loss tells the divergence, a NaN or an infinite one alike; the last step has no next one.
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

    /// <summary>
    /// <see cref="Problem{T}(Sequential{T})"/>, else "the <paramref name="rows"/> RMSE is Infinity (…)" for the first of the
    /// final evaluation's metric (accuracy, or RMSE: R² is NaN for a single row) and loss that is NaN or infinite, or null:
    /// what the next step's loss would have refused, as the trainer refuses a training loss that is not finite.
    /// </summary>
    public static string? Problem<T>(Sequential<T> model, Evaluation final, bool regression, string rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Problem(model) is { } weights)
            return weights;
        foreach ((string name, double value) in new[] { regression ? ("RMSE", final.Rmse) : ("accuracy", final.Accuracy), ("loss", final.Loss) })
        {
            if (!double.IsFinite(value))
                return string.Create(CultureInfo.InvariantCulture, $"the {rows} {name} is {value} (the network's outputs overflow)");
        }
        return null;
    }
}
