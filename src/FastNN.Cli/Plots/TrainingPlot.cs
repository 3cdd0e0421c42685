using FastNN.Cli.Training;
using FastNN.Training;
using ScottPlot;

namespace FastNN.Cli.Plots;

/// <summary>The PNG of a training run: training and held-out loss per epoch on the left axis, the held-out metric on the right.</summary>
internal static class TrainingPlot
{
    public static void Save(string path, IReadOnlyList<EpochResult> epochs, TaskChoice task, string title)
    {
        var plot = new Plot();
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
        var training = plot.Add.Scatter(x, epochs.Select(e => e.TrainLoss).ToArray());
        training.LegendText = "training loss";
        string lossName = task == TaskChoice.Regress ? "loss (MSE, standardized target)" : "loss (cross-entropy)";

        if (epochs.Count > 0 && epochs[0].Validation is not null)
        {
            var held = plot.Add.Scatter(x, epochs.Select(e => e.Validation!.Loss).ToArray());
            held.LegendText = "held-out loss";
            bool regress = task == TaskChoice.Regress;
            var metric = plot.Add.Scatter(x, epochs.Select(e => regress ? e.Validation!.RSquared : 100 * e.Validation!.Accuracy).ToArray());
            metric.LegendText = regress ? "held-out R² (right)" : "held-out accuracy % (right)";
            metric.LinePattern = LinePattern.Dashed;
            metric.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = regress ? "held-out R²" : "held-out accuracy (%)";
        }
        plot.Axes.Left.Label.Text = lossName;
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Title(title);
        plot.ShowLegend(Alignment.MiddleRight);
        InvariantFigures.Draw(() => plot.SavePng(path, 900, 520));
    }
}
