using FastNN.Data;
using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>What one variant of the gradient-flow experiment measured.</summary>
/// <param name="Variant">The network.</param>
/// <param name="InitialNorms">‖g‖ of each weighted layer (Dense or residual block; batch-norm layers left out), input side first, on the first batch, before any step.</param>
/// <param name="Ratios">‖g‖ of the first layer over ‖g‖ of the output layer at every step.</param>
/// <param name="EpochRatios">The median of <paramref name="Ratios"/> over each epoch's steps.</param>
/// <param name="InitialHealth">What the gradient monitor flagged at the first step.</param>
/// <param name="Accuracy">Held-out accuracy after the last epoch (NaN when training diverged).</param>
/// <param name="DivergedAtStep">The steps taken before the loss was no longer finite (or all of them, when the last left weights NaN or infinite, or the outputs or their loss NaN or infinite), or null when training finished.</param>
internal sealed record FlowResult(FlowVariant Variant, double[] InitialNorms, double[] Ratios, double[] EpochRatios,
    GradientHealth InitialHealth, double Accuracy, long? DivergedAtStep);

/// <summary>
/// Trains one deep network of a <see cref="FlowVariant"/> with a <see cref="GradientMonitor{T}"/> sampling every step,
/// and reads off how the gradient norm changes with depth at initialization and as training goes.
/// </summary>
internal static class GradientFlow
{
    /// <summary>Trains and measures <paramref name="variant"/>; null when <paramref name="stop"/> stopped its training part-way.</summary>
    public static FlowResult? Run(FlowVariant variant, Dataset<float> train, Dataset<float> test, int depth, int width,
        OptimizerSettings optimizer, LoopSettings loop, CancellationToken stop)
    {
        ModelSettings settings = variant.Model(depth, width);
        Sequential<float> model = ModelFactory.Build<float>(settings, train.FeatureCount, train.ClassLabels!.Count, TrainerFactory.MaxBatch(loop), loop.Seed);
        // The variant's L2 penalty is added to the loss (L2Penalty); the trainer's monitor reads the loss's own gradient,
        // before the penalty's λ·w, which would hide a vanished one.
        Trainer<float> trainer = TrainerFactory.Create(model, TaskChoice.Classify, optimizer with { L2 = optimizer.L2 + variant.L2 }, loop, shuffle: true);
        int stepsPerEpoch = EpochBudget.BatchesPerEpoch(train.Rows, loop.BatchSize, loop.DropLast);
        // Room for every step, and at least the samples the monitor's growth test spans (a short run has fewer steps).
        var sampling = new GradientMonitorOptions { Interval = 1 };
        var monitor = new GradientMonitor<float>(model.ParameterTensors,
            sampling with { Capacity = Math.Max(loop.Epochs * stepsPerEpoch, sampling.GrowthWindow) });
        trainer.Monitor = monitor;
        double accuracy = double.NaN;
        long? divergedAt = null;
        try
        {
            TrainingHistory history = trainer.Fit(train, test, stop);
            if (trainer.CompletedEpochs < loop.Epochs)
                return null;
            // The last step has no next one whose loss would tell that it left weights NaN or infinite, or the outputs
            // (or their loss) NaN or infinite: it diverged too.
            Evaluation final = history.Epochs[^1].Validation!;
            if (DivergedWeights.Problem(model, final, regression: false, "held-out") is not null)
                divergedAt = trainer.Steps;
            else
                accuracy = final.Accuracy;
        }
        catch (InvalidOperationException)
        {
            // With these options Fit throws this only for a loss that is no longer finite, or a BatchNorm running
            // variance (it refuses that step):
            // a measured outcome of the variant, not a failure of the experiment.
            divergedAt = trainer.Steps;
        }

        if (trainer.Steps == 0)
            throw new InvalidOperationException($"variant '{variant.Name}': the loss was not finite at the first step: no step was taken.");
        GradientReport report = monitor.Report();
        LayerGradientStats[] layers = report.Layers.Where(l => model.Layers[l.LayerIndex] is Dense<float> or Residual<float>).ToArray();
        // The steps taken: a step refused for a non-finite loss is sampled too, but not taken.
        double[] first = layers[0].GradientNormHistory, output = layers[^1].GradientNormHistory;
        double[] ratios = first.Take((int)trainer.Steps).Select((g, i) => g / output[i]).ToArray();
        double[] epochRatios = Enumerable.Range(0, loop.Epochs)
            .Select(e => Median(ratios.Skip(e * stepsPerEpoch).Take(stepsPerEpoch).ToArray()))
            .ToArray();
        return new FlowResult(variant, layers.Select(l => l.GradientNormHistory[0]).ToArray(), ratios, epochRatios,
            InitialHealth(layers, monitor.Options), accuracy, divergedAt);
    }

    // The monitor's own rule (each layer against the output layer), applied to the first sample.
    private static GradientHealth InitialHealth(LayerGradientStats[] layers, GradientMonitorOptions options)
    {
        double last = layers[^1].GradientNormHistory[0];
        var health = GradientHealth.Healthy;
        foreach (LayerGradientStats layer in layers)
        {
            GradientHealth flags = GradientMonitor<float>.Classify(layer.GradientNormHistory[0], last, layer.GradientNormHistory.AsSpan(0, 1), options);
            if (flags == GradientHealth.NonFinite)
                return flags;
            health |= flags;
        }
        return health;
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0)
            return double.NaN;
        Array.Sort(values);
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }
}
