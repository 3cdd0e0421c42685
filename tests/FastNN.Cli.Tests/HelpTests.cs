namespace FastNN.Cli.Tests;

/// <summary><c>--help</c> lists every command and every option the issue names.</summary>
public class HelpTests
{
    /// <summary>Every command of <c>fastnn</c>.</summary>
    public static TheoryData<string> Commands => ["train", "eval", "predict", "cv", "gradflow", "gradcheck", "bench", "info"];

    [Fact]
    public void TheRootHelpListsEveryCommand()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string command in Commands)
            Assert.Matches($@"(?m)^\s+{command}\s", run.Out);
    }

    [Fact]
    public void TrainHelpListsEveryOption()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("train", "--help");
        Assert.Equal(0, run.ExitCode);
        string[] options =
        [
            "--data", "--label-column", "--task", "--delimiter", "--layers", "--activation", "--dropout", "--batch-norm", "--layer-norm",
            "--residual", "--init", "--optimizer", "--momentum", "--nesterov", "--lr", "--weight-decay", "--l1", "--l2", "--schedule",
            "--warmup", "--clip-norm", "--clip-value", "--epochs", "--batch-size", "--drop-last", "--seed", "--test-fraction", "--no-standardize", "--no-shuffle",
            "--init-weights", "--resume", "--checkpoint-every", "--save", "--plot", "--double", "--threads",
        ];
        foreach (string option in options)
            Assert.Matches($@"(?m)^\s+{option}\b", run.Out);
        foreach (string activation in new[] { "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "tanh", "sigmoid" })
            Assert.Contains(activation, run.Out);
    }

    [Theory]
    [InlineData("eval", "--model", "--data")]
    [InlineData("predict", "--model", "--data", "--output")]
    [InlineData("cv", "--folds", "--learning-rates", "--lambdas", "--lambda-kind", "--data", "--layers")]
    [InlineData("gradflow", "--depth", "--width", "--epochs", "--plot")]
    [InlineData("gradcheck", "--seed")]
    [InlineData("bench", "--size", "--threads", "--time")]
    public void EachCommandsHelpListsItsOptions(string command, params string[] options)
    {
        using var cli = new Cli();
        CliRun run = cli.Run(command, "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string option in options)
            Assert.Matches($@"(?m)^\s+{option}\b", run.Out);
    }

    // Each default was said twice, "Default 0.2. [default: 0.2]": the description's own words (which also state the
    // defaults no single value gives, "Default: detected from the header line") and the parser's bracket after them.
    [Theory]
    [MemberData(nameof(Commands))]
    public void EachHelpStatesADefaultOnceInTheOptionsDescription(string command)
    {
        using var cli = new Cli();
        CliRun run = cli.Run(command, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("[default:", run.Out, StringComparison.OrdinalIgnoreCase);
        string[] options = run.Out.Split('\n').Where(l => l.TrimStart().StartsWith('-')).ToArray();
        Assert.NotEmpty(options);
        foreach (string line in options)
            Assert.True(System.Text.RegularExpressions.Regex.Count(line, @"Default[ :]") <= 1, line);
    }

    // gradflow's --drop-last said it was "Needed with --batch-norm", an option gradflow does not have (its batch-norm
    // variant needs it): a help names only options its command takes.
    [Theory]
    [MemberData(nameof(Commands))]
    public void EachHelpNamesOnlyOptionsItsCommandTakes(string command)
    {
        using var cli = new Cli();
        CliRun run = cli.Run(command, "--help");
        Assert.Equal(0, run.ExitCode);
        var listed = System.Text.RegularExpressions.Regex.Matches(run.Out, @"(?m)^\s+(?:-\?, -h, )?(--[a-z0-9-]+)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("--help", listed);
        Assert.All(System.Text.RegularExpressions.Regex.Matches(run.Out, @"--[a-z0-9][a-z0-9-]*").Select(m => m.Value), option => Assert.Contains(option, listed));
    }

    // The defaults the descriptions state are the ones a run takes.
    [Fact]
    public void TheDefaultsTheHelpStatesAreTheRunsDefaults()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("train", "--data", Cli.Data("diabetes.csv"), "--epochs", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("model: 10-256-128-1, relu, he init,", run.Out);
        Assert.Contains("training: adamw lr 0.001, weight decay 0.01 (decoupled, weights only), 1 epoch of batch 32, seed 0", run.Out);
        Assert.Contains("split: 354 training rows, 88 held out,", run.Out); // --test-fraction 0.2 of 442 rows
    }
}
