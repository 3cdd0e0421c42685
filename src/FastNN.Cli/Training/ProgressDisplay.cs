using Spectre.Console;

namespace FastNN.Cli.Training;

/// <summary>
/// Shows long work as it goes: on a terminal a live progress bar over its steps with each step's line above it; in a
/// log (output redirected, <c>CI</c> set) the lines alone.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, which calls the callback it is given once per finished step with that step's line.</summary>
    public static TResult Run<TResult>(CliConsole console, string title, int steps, Func<Action<string>, TResult> work)
    {
        if (!console.Interactive)
            return work(console.Line);

        TResult result = default!;
        console.Ansi.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: steps);
                result = work(line =>
                {
                    console.Ansi.WriteLine(line);
                    task.Value = Math.Min(steps, task.Value + 1);
                    // Drawn now: the bar under the line would otherwise show the count before it until the next periodic refresh.
                    context.Refresh();
                });
            });
        return result;
    }
}
