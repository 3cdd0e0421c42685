using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FastNN.Cli.Tests;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM in the middle of <c>fastnn train</c>, sent to the command run as its own process: the run
/// stops between two steps, says where and how to go on, exits 130 (143 for SIGTERM), and (with --checkpoint-every)
/// leaves a checkpoint that resumes to the same model file, byte for byte, as a run that never stopped; in <c>fastnn cv</c>
/// and <c>gradflow</c>, the table of the folds or variants done.
/// </summary>
public class InterruptTests
{
    private static string Rows()
    {
        var text = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{(i % 3 == 0 ? 1 : 0)}\n");
        return text.ToString();
    }

    [Theory]
    [InlineData("INT", 130, "interrupted (Ctrl-C)")]
    [InlineData("TERM", 143, "stopped by SIGTERM")] // before, the runtime's default: exit 143 at once, no checkpoint, no word
    public void ASignalDuringTrainSavesACheckpointAtTheCutThatResumesExactly(string signal, int exitCode, string said)
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.ckpt");
        // Checkpoints every million epochs: the one the run leaves is the one saved where Ctrl-C stopped it.
        string[] run = ["train", "--data", cli.Write("rows.csv", Rows()), "--layers", "4", "--batch-size", "8", "--test-fraction", "0",
            "--checkpoint-every", "1000000", "--checkpoint", checkpoint];
        (int exit, _, string error) = RunInterrupted([.. run, "--epochs", "1000000", "--save", cli.PathOf("never.safetensors"), "--plot", cli.PathOf("never.png")],
            signal);

        Assert.True(exit == exitCode, $"exit {exit}: {error}");
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"fastnn: {said} in epoch ", error);
        Assert.Contains($"--resume {checkpoint}", error);
        Assert.DoesNotContain("   at ", error);
        Assert.True(File.Exists(checkpoint), error);
        Assert.False(File.Exists(cli.PathOf("never.safetensors")));

        // The epoch it was in, finished from the checkpoint, ends as a run of that many epochs that was never stopped.
        string epochs = Regex.Match(error, @"in epoch (\d+) ").Groups[1].Value;
        CliRun resumed = cli.Run([.. run, "--epochs", epochs, "--resume", checkpoint, "--save", cli.PathOf("resumed.safetensors")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        CliRun whole = cli.Run([.. run, "--epochs", epochs, "--save", cli.PathOf("whole.safetensors")]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.Equal(File.ReadAllBytes(cli.PathOf("whole.safetensors")), File.ReadAllBytes(cli.PathOf("resumed.safetensors")));
    }

    [Fact]
    public void CtrlCDuringTrainWithoutCheckpointsSaysNothingWasSaved()
    {
        using var cli = new Cli();
        (int exit, _, string error) = RunInterrupted(["train", "--data", cli.Write("rows.csv", Rows()), "--layers", "4", "--batch-size", "8",
            "--epochs", "1000000", "--save", cli.PathOf("never.safetensors"), "--plot", cli.PathOf("never.png")]);
        Assert.True(exit == 130, $"exit {exit}: {error}");
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("fastnn: interrupted (Ctrl-C) in epoch ", error);
        Assert.Contains("nothing saved", error);
        Assert.Contains("--checkpoint-every", error);
        Assert.Equal([cli.PathOf("rows.csv")], Directory.GetFiles(cli.Folder));
    }

    [Fact]
    public void SigtermDuringCvPrintsTheFoldsDoneAndExits143()
    {
        // Before, cv ended at once with the runtime's default: nothing of the folds done but their progress lines.
        using var cli = new Cli();
        // Two hundred short fits (2 folds of 100 settings, 20-70 ms each once jitted): the signal, sent after the first
        // fold's line, lands in a later one. The search stops there, so the settings it never reaches cost nothing; with
        // ten (about 1 s after the first line) a test host slowed by a loaded machine could send it after the last.
        (int exit, string output, string error) = RunInterrupted(["cv", "--data", cli.Write("rows.csv", Rows()), "--layers", "4", "--folds", "2",
            "--lambdas", string.Join(",", Enumerable.Range(0, 100)), "--epochs", "10000"], "TERM", after: "lr ");

        Assert.True(exit == 143, $"exit {exit}: {error}\n{output}");
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Match said = Regex.Match(error, @"^fastnn: stopped by SIGTERM in fold (\d) of 2 of setting (\d+) of 100 \(lr 0\.001, λ (\d+)\); the table holds the (\d+) folds? done\.$",
            RegexOptions.Multiline);
        Assert.True(said.Success, error);
        int done = output.Split('\n').Count(l => l.StartsWith("lr 0.001, λ ", StringComparison.Ordinal));
        Assert.InRange(done, 1, 199);
        int Group(int i) => int.Parse(said.Groups[i].Value, CultureInfo.InvariantCulture);
        Assert.Equal((done, done % 2 + 1, done / 2 + 1, done / 2), (Group(4), Group(1), Group(2), Group(3)));
        // One row per setting begun; one cut after its first fold says so; a best only among the complete ones.
        Assert.Equal((done + 1) / 2, output.Split('\n').Count(l => l.StartsWith("| 0.001 |", StringComparison.Ordinal)));
        Assert.Equal(done % 2 == 1, output.Contains("1 of 2 folds |", StringComparison.Ordinal));
        Assert.Equal(done >= 2, output.Contains($"best so far ({done / 2} of 100 settings done): lr 0.001, λ ", StringComparison.Ordinal));
    }

    [Fact]
    public void CtrlCDuringGradflowPrintsTheVariantsDoneAndWritesNoPlot()
    {
        // Before, gradflow ended at once: nothing of the variants done but their progress lines.
        using var cli = new Cli();
        // Eight variants of a few hundred milliseconds: the signal, sent after the first one's line, lands in a later one.
        (int exit, string output, string error) = RunInterrupted(["gradflow", "--data", cli.Write("rows.csv", Rows()), "--depth", "1", "--width", "4",
            "--epochs", "50000", "--plot", cli.PathOf("flow.png")], after: "sigmoid, default init: ");

        Assert.True(exit == 130, $"exit {exit}: {error}\n{output}");
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Match said = Regex.Match(error, @"^fastnn: interrupted \(Ctrl-C\) in variant (\d) of 8 \(([^)]+)\); the table holds the (\d) variants? done; no plot written\.$",
            RegexOptions.Multiline);
        Assert.True(said.Success, error);
        int done = output.Split('\n').Count(l => l.Contains(": first/output layer ", StringComparison.Ordinal));
        Assert.InRange(done, 1, 7);
        Assert.Equal($"{done + 1} {done}", $"{said.Groups[1].Value} {said.Groups[3].Value}");
        Assert.Equal(done, output.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| variant ", StringComparison.Ordinal)));
        Assert.False(File.Exists(cli.PathOf("flow.png")));
    }

    // Runs fastnn in a process of its own and sends it SIGINT (or the signal named) once the first line that starts with
    // <paramref name="after"/> (by default the first epoch's) shows that the work has begun.
    private static (int Exit, string Output, string Error) RunInterrupted(string[] args, string signal = "INT", string after = "epoch ")
    {
        // A child keeps the signals its parent ignores, and fastnn, as every program, leaves an ignored Ctrl-C ignored: a
        // test host started as a background job without job control ('.ci/run &' in a script) would see fastnn run on.
        if (signal == "INT" && IgnoresInterrupts())
            Assert.Fail("This test host ignores SIGINT (started as a background job without job control), and so would the fastnn it starts: run the tests from a foreground shell, or with 'set -m'.");
        var start = new ProcessStartInfo(Cli.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "FastNN.Cli.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        for (string? line; (line = process.StandardOutput.ReadLine()) is not null;)
        {
            output.Append(line).Append('\n');
            if (line.StartsWith(after, StringComparison.Ordinal))
                break;
        }
        using (Process kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        Task<string> rest = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            Assert.Fail($"fastnn did not stop within a minute of SIG{signal}.");
        }
        output.Append(rest.Result);
        return (process.ExitCode, output.ToString(), error.Result);
    }

    // SIGINT (signal 2) in the SigIgn mask of /proc/self/status; false where there is none to read.
    private static bool IgnoresInterrupts() =>
        File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 1)) != 0;
}
