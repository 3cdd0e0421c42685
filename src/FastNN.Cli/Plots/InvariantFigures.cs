using System.Globalization;

namespace FastNN.Cli.Plots;

/// <summary>Draws a plot with its figures written as the command writes them everywhere else: '.' and '-'.</summary>
internal static class InvariantFigures
{
    // ScottPlot formats tick labels in the current culture (by design, ScottPlot#3688), as do the labels formatted while
    // it renders: under de-DE the loss axis read "0,5" beside the epoch lines' "0.5", under sv-SE the axes wrote U+2212.
    public static void Draw(Action draw)
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            draw();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
