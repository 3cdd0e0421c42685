using System.Runtime.InteropServices;
using FastNN.Cli.Training;

namespace FastNN.Cli.Tests;

/// <summary>
/// Ctrl-C or SIGTERM during the last fold of <c>fastnn cv</c>, or the last variant of <c>gradflow</c>: no later fold
/// or variant polls for it, and that one runs on to its end (here it diverges, as a step under way when the signal
/// comes may). The signal still wins, as it does in any earlier fold or variant: exit 130 or 143, after the complete
/// table. The signal is handled in the command's stop when the fold's or variant's line is written, while the search is
/// still under way, as the runtime's thread would handle it at that moment.
/// </summary>
public class LastFoldSignalTests
{
    [Theory]
    [InlineData(PosixSignal.SIGINT, 130, "interrupted (Ctrl-C)")]
    [InlineData(PosixSignal.SIGTERM, 143, "stopped by SIGTERM")]
    public void ASignalInCvsLastFoldWinsOverTheSearchsOwnOutcome(PosixSignal signal, int exitCode, string said)
    {
        // Before: exit 0 (the other setting trained), as if no signal came.
        using var cli = new Cli();
        CliRun run = cli.RunSignalled(signal, "lr 1E+10, λ 0: fold 2/2", "cv", "--data", Cli.Data("breast_cancer.csv"), "--learning-rates", "0.001,1e10",
            "--lambdas", "0", "--optimizer", "sgd", "--epochs", "2", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Matches(@"lr 1E\+10, λ 0: fold 2/2 diverged after \d+ steps?\n", run.Out);
        Assert.Contains("best: lr 0.001, λ 0 ", run.Out);
        Assert.Equal($"fastnn: {said} in the last fold of the last setting, which ran to its end; the table holds every fold.", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ASignalInCvsLastFoldWinsOverEverySettingDiverging()
    {
        // Before: exit 1, the failure of a search whose every setting diverged.
        using var cli = new Cli();
        CliRun run = cli.RunSignalled(PosixSignal.SIGINT, "lr 1E+10, λ 0: fold 2/2", "cv", "--data", Cli.Data("breast_cancer.csv"), "--learning-rates", "1e10",
            "--lambdas", "0", "--optimizer", "sgd", "--epochs", "2", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Equal(2, run.ErrorLines.Length);
        Assert.StartsWith("fastnn: the training diverged in every setting", run.ErrorLines[0]);
        Assert.StartsWith("fastnn: interrupted (Ctrl-C) in the last fold", run.ErrorLines[1]);
    }

    [Fact]
    public void ASignalInGradflowsLastVariantWinsAndThePlotIsWritten()
    {
        // Before: exit 0, as if no signal came. At lr 1e10 the last variant diverges after 3 steps.
        using var cli = new Cli();
        string last = FlowVariant.All[^1].Name;
        CliRun run = cli.RunSignalled(PosixSignal.SIGTERM, $"{last}: ", "gradflow", "--depth", "1", "--width", "4", "--epochs", "1", "--lr", "1e10",
            "--plot", cli.PathOf("flow.png"));

        Assert.True(run.ExitCode == 143, run.ToString());
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(last)}: .*; diverged after \d+ steps?\n", run.Out);
        Assert.Equal($"fastnn: stopped by SIGTERM in the last variant ({last}), which ran to its end; the table and the plot hold every variant.", Assert.Single(run.ErrorLines));
        Assert.True(File.Exists(cli.PathOf("flow.png")));
    }
}
