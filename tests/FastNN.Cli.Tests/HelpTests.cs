namespace FastNN.Cli.Tests;

/// <summary><c>--help</c> lists every command and every option the issue names.</summary>
public class HelpTests
{
    [Fact]
    public void TheRootHelpListsEveryCommand()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string command in new[] { "train", "eval", "predict", "cv", "gradflow", "gradcheck", "bench", "info" })
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
}
