using FastNN.Cli.Training;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace FastNN.Cli.Plots;

/// <summary>
/// The PNG of the gradient-flow experiment, two panels on a log scale, one line per variant: the gradient norm of each
/// layer at initialization, and the ratio of the first layer's norm to the output layer's over the training steps.
/// </summary>
internal static class GradientFlowPlot
{
    public static void Save(string path, IReadOnlyList<FlowResult> results, int depth, int width, string training)
    {
        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot byLayer = figure.GetPlot(0), bySteps = figure.GetPlot(1);

        foreach (FlowResult result in results)
        {
            double[] layers = Enumerable.Range(1, result.InitialNorms.Length).Select(i => (double)i).ToArray();
            var line = byLayer.Add.Scatter(layers, Log10(result.InitialNorms));
            line.LegendText = result.Variant.Name;
            double[] steps = Enumerable.Range(0, result.Ratios.Length).Select(i => (double)i).ToArray();
            var ratio = bySteps.Add.ScatterLine(steps, Log10(result.Ratios));
            ratio.Color = line.Color;
            if (result.Variant.L2 > 0 || result.Variant.Dropout > 0)
            {
                // A remedy on the same network as another line: dashed, so the line it lies on (L2 starts from the same
                // weights as the plain sigmoid network) stays visible under it.
                line.LinePattern = LinePattern.Dashed;
                ratio.LinePattern = LinePattern.Dashed;
            }
        }

        byLayer.Title($"‖gradient‖ per layer at initialization, {depth} hidden layers of {width}");
        byLayer.Axes.Bottom.Label.Text = "layer (1 = input side, last = output layer)";
        byLayer.Axes.Left.Label.Text = "‖∂loss/∂θ‖ of the layer";
        LogScale(byLayer);
        byLayer.ShowLegend(Alignment.LowerRight);

        bySteps.Title("first layer ÷ output layer, every training step");
        bySteps.Axes.Bottom.Label.Text = $"optimizer step ({training})";
        bySteps.Axes.Left.Label.Text = "‖g first layer‖ / ‖g output layer‖";
        LogScale(bySteps);

        InvariantFigures.Draw(() => figure.SavePng(path, 1600, 700));
    }

    private static double[] Log10(double[] values) => values.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray();

    // ScottPlot has no log axis: values are plotted as log10 with ticks at whole powers of ten and log-spaced minor ticks.
    private static void LogScale(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
    }
}
