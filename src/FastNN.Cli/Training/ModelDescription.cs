using System.Globalization;
using System.Numerics;
using FastNN.Models;

namespace FastNN.Cli.Training;

/// <summary>One-line descriptions of a network and its training set-up for the command's output.</summary>
internal static class ModelDescription
{
    public static string Network<T>(Sequential<T> model, ModelSettings settings) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string widths = string.Join("-", new[] { model.InputSize }.Concat(settings.Layers).Append(model.OutputSize));
        var parts = new List<string> { widths };
        if (settings.Layers.Length > 0)
        {
            parts.Add(settings.Activation);
            if (settings.BatchNorm) parts.Add("batch norm");
            if (settings.LayerNorm) parts.Add("layer norm");
            if (settings.Dropout > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"dropout {settings.Dropout}"));
            if (settings.Residual) parts.Add("residual");
        }
        parts.Add($"{settings.Init} init");
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{model.Parameters.Length:N0} parameters"));
        parts.Add(typeof(T) == typeof(double) ? "double" : "float");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The optimizer and loop; <paramref name="batch"/> and <paramref name="learningRate"/>, when given, say the batch and
    /// the learning rate instead of <see cref="LoopSettings.BatchSize"/> and <see cref="OptimizerSettings.LearningRate"/>.
    /// </summary>
    public static string Optimizer(OptimizerSettings o, LoopSettings loop, string? batch = null, string? learningRate = null)
    {
        var parts = new List<string> { $"{o.Name} lr {learningRate ?? o.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}" };
        if (o.Momentum > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"momentum {o.Momentum}{(o.Nesterov ? " (Nesterov)" : "")}"));
        if (o.WeightDecay > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"weight decay {o.WeightDecay:G3} ({(o.Name == "adamw" ? "decoupled" : "coupled")}, weights only)"));
        if (o.L1 > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"L1 {o.L1:G3}"));
        if (o.L2 > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"L2 {o.L2:G3}"));
        if (o.Schedule.Kind != "constant" || o.Warmup > 0) parts.Add($"schedule {o.Schedule}{(o.Warmup > 0 ? $" after {Counted.Of(o.Warmup, "warm-up epoch")}" : "")}");
        if (o.ClipValue is double clipValue) parts.Add(string.Create(CultureInfo.InvariantCulture, $"gradients clamped to ±{clipValue:G3}"));
        if (o.ClipNorm is double clip) parts.Add(string.Create(CultureInfo.InvariantCulture, $"gradients clipped to norm {clip:G3}"));
        parts.Add($"{Counted.Of(loop.Epochs, "epoch")} of batch {batch ?? loop.BatchSize.ToString(CultureInfo.InvariantCulture)}{(loop.DropLast ? " (incomplete last batch dropped)" : "")}"
            + (loop.DefaultEpochs ? $" (by default at least {EpochBudget.Epochs} epochs and {EpochBudget.MinimumSteps} steps)" : "")
            + $", seed {loop.Seed}");
        return string.Join(", ", parts);
    }
}
