using FastNN.Training;
using Spectre.Console;

namespace FastNN.Cli.Training;

/// <summary>
/// Shows training as it goes: on a terminal a live progress bar over the epochs with each epoch's line above it; in a
/// log (output redirected, <c>CI</c> set) the lines alone.
/// </summary>
internal static class TrainingProgress
{
    /// <summary>Runs <paramref name="fit"/>, which reports each finished epoch to the callback it is given.</summary>
    public static TrainingHistory Run(CliConsole console, string title, int epochs, Func<EpochResult, string> describe,
        Func<Action<EpochResult>, TrainingHistory> fit)
    {
        if (!console.Interactive)
            return fit(epoch => console.Line(describe(epoch)));

        TrainingHistory history = null!;
        console.Ansi.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: epochs);
                history = fit(epoch =>
                {
                    console.Ansi.WriteLine(describe(epoch));
                    task.Value = Math.Min(epochs, task.Value + 1);
                });
            });
        return history;
    }
}
