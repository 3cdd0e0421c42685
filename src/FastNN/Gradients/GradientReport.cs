using System.Globalization;
using System.Text;

namespace FastNN.Gradients;

/// <summary>What a <see cref="GradientMonitor{T}"/> saw: one row per layer (input side first) and the sampled steps.</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Step">The step of the newest sample.</param>
/// <param name="Steps">The step of each kept sample, oldest first.</param>
/// <param name="Layers">One row per layer that owns parameters, in model order.</param>
public sealed record GradientReport(long Step, long[] Steps, IReadOnlyList<LayerGradientStats> Layers)
{
    /// <summary>The union of every layer's flags.</summary>
    public GradientHealth Health => Layers.Aggregate(GradientHealth.Healthy, (health, layer) => health | layer.Health);

    /// <summary>A fixed-width text table of the newest sample, one line per layer, for consoles and logs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"gradients at step {Step}: {Health}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"layer",-12} {"params",9} {"|grad|",11} {"|weight|",11} {"update/w",11} {"vs last",11}  health");
        foreach (LayerGradientStats layer in Layers)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{layer.Name,-12} {layer.ParameterCount,9} {layer.GradientNorm,11:E3} {layer.WeightNorm,11:E3} {layer.UpdateRatio,11:E3} {layer.RatioToLast,11:E3}  {layer.Health}");
        }
        return text.ToString();
    }
}
