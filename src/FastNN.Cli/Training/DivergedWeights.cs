using System.Globalization;
using System.Numerics;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>
/// Weights a run left NaN or infinite, or finite but so large that the network's outputs overflow to NaN or their loss
/// to infinity. With no guard, a step whose gradient is not finite under a finite loss (or whose update overflows) is
/// taken, and the next step's loss tells the divergence (the trainer refuses a loss that is not finite); the last step
/// has no next one.
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
    /// <see cref="Problem{T}(Sequential{T})"/>, else "the <paramref name="rows"/> accuracy is NaN (…)" for the first of the
    /// final evaluation's metric (accuracy, or RMSE: R² is NaN for a single row) and loss that is NaN, else "the
    /// <paramref name="rows"/> loss is Infinity (…)" for a loss that is not finite (as a step's is refused: predictions
    /// of 1e20 square past float's range), or null.
    /// </summary>
    public static string? Problem<T>(Sequential<T> model, Evaluation final, bool regression, string rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Problem(model) is { } weights)
            return weights;
        foreach ((string name, double value) in new[] { regression ? ("RMSE", final.Rmse) : ("accuracy", final.Accuracy), ("loss", final.Loss) })
        {
            if (double.IsNaN(value))
                return $"the {rows} {name} is NaN (the network's outputs overflow)";
        }
        return double.IsFinite(final.Loss) ? null
            : string.Create(CultureInfo.InvariantCulture, $"the {rows} loss is {final.Loss} (the network's outputs are so large that it overflows)");
    }
}
