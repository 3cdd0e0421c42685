using System.CommandLine;
using System.Globalization;
using FastNN.Cli.Options;
using FastNN.Cli.Plots;
using FastNN.Cli.Training;
using FastNN.Data;
using FastNN.Gradients;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary>
/// <c>fastnn gradflow</c>: the gradient-flow experiment. Deep networks on digits in eight variants (activation,
/// initialization, residual blocks, batch norm, dropout, L2), each trained with a gradient monitor sampling every step;
/// a table of how the gradient norm falls or grows from the output layer to the first, at initialization and per epoch,
/// with the held-out accuracy, and one PNG. Ctrl-C or SIGTERM stops it between two training steps: the table then holds
/// the variants done, no PNG is written, and the command exits 130 or 143 (also when the signal comes in the last step
/// of the last variant, or while that variant is scored, when no step is left to stop at: the table and the PNG are complete).
/// </summary>
internal static class GradflowCommand
{
    public static Command Create(CliConsole console)
    {
        var depth = new Option<int?>("--depth") { Description = "Hidden layers. Default 20.", HelpName = "N" };
        var width = new Option<int?>("--width") { Description = "Width of each hidden layer. Default 64.", HelpName = "N" };
        var plot = new Option<string?>("--plot")
        {
            Description = "Where to write the PNG. Default gradflow.png.",
            HelpName = "FILE.png",
        };
        var data = new Option<string?>("--data")
        {
            Description = "A classification CSV to use instead of the embedded digits: a header row, the label in the last column.",
            HelpName = "FILE.csv",
        };
        var optimizer = new OptimizerOptions(defaultOptimizer: "sgd", defaultMomentum: 0.9);
        var loop = new LoopOptions(defaultEpochs: 10, withDouble: false, batchNorm: "by the batch-norm variant");
        var command = new Command("gradflow",
            "The gradient-flow experiment: deep networks (sigmoid, tanh, ReLU; default, Xavier and He init; residual blocks; batch norm; dropout; L2) trained on digits with per-layer gradient norms measured at every step; a table and one PNG.")
        {
            depth, width, data, plot,
        };
        optimizer.AddTo(command);
        loop.AddTo(command);
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            LoopSettings loopSettings = loop.Read(parse);
            OptimizerSettings optimizerSettings = optimizer.Read(parse);
            string plotPath = parse.GetValue(plot) ?? "gradflow.png";
            OutputFile.CheckNotStandardStream(plotPath, "--plot");
            OutputFile.CheckPngName(plotPath, "--plot");
            OutputFile.Check(plotPath, "--plot");
            OutputFile.CheckDistinct([("--plot", plotPath)], [("--data", parse.GetValue(data))]);
            using (loop.ApplyThreads(parse))
            {
                return Run(console, OptionValues.AtLeast(parse.GetValue(depth) ?? 20, 1, "--depth"), OptionValues.AtLeast(parse.GetValue(width) ?? 64, 1, "--width"),
                    parse.GetValue(data), optimizerSettings, loopSettings, plotPath);
            }
        }));
        return command;
    }

    private static int Run(CliConsole console, int depth, int width, string? path, OptimizerSettings optimizer, LoopSettings loop, string plot)
    {
        // The target is read as train infers it, so that a numeric target is refused rather than read as hundreds of classes.
        var dataSettings = new DataSettings(path, null, Task: null, null, TestFraction: 0.2, Standardize: true, Shuffle: true);
        (Dataset<float> all, string source) = DataLoader.Read<float>(dataSettings, floatOnly: "gradflow");
        if (all.ClassLabels is null)
        {
            throw new UsageException($"--data: {source}'s target '{all.TargetName}' holds numbers (neither words nor at most {Csv.AutoClassLimit} "
                + "distinct integers); the gradient-flow experiment needs classes.");
        }
        PreparedData<float> data;
        try
        {
            data = PreparedData<float>.Create(all, source, TaskChoice.Classify, dataSettings, loop.Seed);
        }
        catch (ArgumentException e) when (e.ParamName == "validationFraction")
        {
            // The split refuses a part with no row; gradflow has no option for its fraction, so the file is what to change.
            throw new UsageException($"--data: {source}'s {Counted.Of(all.Rows, "row")} {Counted.Be(all.Rows)} too few for the experiment, which holds out a fifth of them "
                + "(stratified by class) and trains on the rest: give a file of more rows.");
        }
        loop.CheckBatches(data.Train.Rows, "the batch-norm variant");
        loop = loop.AtMostRows(data.Train.Rows);
        string training = ModelDescription.Optimizer(optimizer, loop);
        console.Line($"data: {source}, {Counted.Of(data.Train.Rows, "training row")}, {data.Test!.Rows} held out, standardized");
        console.Line($"networks: {Counted.Of(depth, "hidden layer")} of {width}, then Dense({all.ClassLabels!.Count}); training: {training}");

        IReadOnlyList<FlowVariant> variants = FlowVariant.With(optimizer.L2);
        using var stop = new StopSignal();
        var results = new List<FlowResult>();
        stop.Run(() => ProgressDisplay.Run(console, "variants", variants.Count, report =>
        {
            foreach (FlowVariant variant in variants)
            {
                if (GradientFlow.Run(variant, data.Train, data.Test, depth, width, optimizer, loop, stop.Token) is not { } result)
                    break;
                results.Add(result);
                report(string.Create(CultureInfo.InvariantCulture,
                    $"{variant.Name}: first/output layer {result.Ratios[0]:0.0e+00} at init, {result.EpochRatios[^1]:0.0e+00} in epoch {loop.Epochs}; {Outcome(result)}"));
            }
            return results;
        }));
        // A signal after the last variant's last poll (in its last step, or while it is scored) still wins once the variants
        // are over: in any earlier one the next step or variant stops at once; this one ran on to its end (or diverged)
        // and completed the table and plot.
        bool signalled = stop.Received;

        if (results.Count > 0)
        {
            var table = new Table()
                .AddColumn(new TableColumn("variant").NoWrap())
                .AddColumns(new[] { "‖g₁‖ init", "‖g_out‖ init", "g₁÷g_out init", "epoch 1", $"epoch {loop.Epochs}", "flagged", "held-out acc." }
                    .Select(h => new TableColumn(h).RightAligned()).ToArray());
            foreach (FlowResult r in results)
            {
                table.AddRow(Markup.Escape(r.Variant.Name), Scientific(r.InitialNorms[0]), Scientific(r.InitialNorms[^1]), Scientific(r.Ratios[0]),
                    Scientific(r.EpochRatios[0]), Scientific(r.EpochRatios[^1]), r.InitialHealth == GradientHealth.Healthy ? "no" : r.InitialHealth.ToString().ToLowerInvariant(),
                    r.DivergedAtStep is long step ? $"diverged after {step} step{(step == 1 ? "" : "s")}" : string.Create(CultureInfo.InvariantCulture, $"{100 * r.Accuracy:F1}%"));
            }
            console.Write(table);
            console.Line("‖g₁‖, ‖g_out‖: L2 norm of the loss gradient of the first and of the output layer's parameters (a residual block counts as one");
            console.Line("layer) on the first batch, before any step. Epoch columns: the median of g₁ ÷ g_out over the epoch's steps. Flagged: the gradient");
            console.Line($"monitor's rule at initialization (a layer below 1e-3 or above 1e3 times the output layer's norm). Chance accuracy: {100.0 / all.ClassLabels.Count:F0}%.");
        }
        // A stopped experiment keeps the variants it finished in the table; the plot, which compares them all, is not written.
        if (results.Count < variants.Count)
        {
            FlowVariant cut = variants[results.Count];
            console.Tell($"fastnn: {stop.Description} in variant {results.Count + 1} of {variants.Count} ({cut.Name}); "
                + (results.Count == 0 ? "no variant was done; " : $"the table holds the {results.Count} variant{(results.Count == 1 ? "" : "s")} done; ")
                + $"no plot written{stop.DivergedNote}.");
            return stop.ExitCode;
        }
        OutputFile.Write(plot, "--plot", () => GradientFlowPlot.Save(plot, results, depth, width, training));
        console.Line($"plot: {Path.GetFullPath(plot)}");
        if (!signalled)
            return ExitCode.Success;
        console.Tell($"fastnn: {stop.Description} in the last variant ({variants[^1].Name}), which ran to its end; the table and the plot hold every variant.");
        return stop.ExitCode;
    }

    private static string Scientific(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0e+00", CultureInfo.InvariantCulture);

    private static string Outcome(FlowResult r) => r.DivergedAtStep is long step
        ? $"diverged after {step} step{(step == 1 ? "" : "s")}"
        : string.Create(CultureInfo.InvariantCulture, $"held-out accuracy {100 * r.Accuracy:F1}%");
}
