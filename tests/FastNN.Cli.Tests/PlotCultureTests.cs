using System.Globalization;
using FastNN.Cli.Plots;
using FastNN.Cli.Training;
using FastNN.Gradients;
using FastNN.Training;
using Xunit;

namespace FastNN.Cli.Tests;

// ScottPlot writes tick labels in the current culture: under de-DE the loss axis read "0,5" and under sv-SE the R² and
// log axes wrote U+2212 as the minus, where the epoch lines and every other figure the command writes use '.' and '-'.
// The same plot must be the same PNG in any culture.
public sealed class PlotCultureTests
{
    private static readonly EpochResult[] Epochs = Enumerable.Range(1, 4)
        .Select(e => new EpochResult(e, 1.5 / e, new Evaluation(1.2 / e, 0, 0.9, 0.6 - 0.4 * e), 0.01, 10 * e, TimeSpan.Zero)).ToArray();

    private static readonly FlowResult[] Flow =
        [new(new FlowVariant("sigmoid", "sigmoid", "default"), [1e-4, 1e-2, 0.5], [1e-3, 1e-2, 2e-2], [1e-2], GradientHealth.Healthy, 0.5, null)];

    [Theory]
    [InlineData("de-DE")] // ',' as the decimal point
    [InlineData("sv-SE")] // U+2212 as the minus sign
    [InlineData("fa-IR")] // a minus with a direction mark
    public void PlotsAreTheSamePngInAnyCulture(string culture)
    {
        using var cli = new Cli();
        Save(cli, "invariant", CultureInfo.InvariantCulture);
        Save(cli, culture, CultureInfo.GetCultureInfo(culture));
        Assert.Equal(File.ReadAllBytes(cli.PathOf("invariant-train.png")), File.ReadAllBytes(cli.PathOf($"{culture}-train.png")));
        Assert.Equal(File.ReadAllBytes(cli.PathOf("invariant-flow.png")), File.ReadAllBytes(cli.PathOf($"{culture}-flow.png")));
    }

    private static void Save(Cli cli, string name, CultureInfo culture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            TrainingPlot.Save(cli.PathOf($"{name}-train.png"), Epochs, TaskChoice.Regress, "title");
            GradientFlowPlot.Save(cli.PathOf($"{name}-flow.png"), Flow, 3, 8, "sgd");
            Assert.Same(culture, CultureInfo.CurrentCulture);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
