namespace FastNN.Cli.Tests;

/// <summary>Every user mistake: exit code 2 and one line on stderr naming the file, line and column, or the option; never a stack trace.</summary>
public class BadInputTests
{
    private static CliRun Train(Cli cli, params string[] args) =>
        cli.Run(["train", "--plot", cli.PathOf("p.png"), .. args.Contains("--epochs") ? args : ["--epochs", "1", .. args]]);

    private static void AssertUsageError(CliRun run, params string[] fragments)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.StartsWith("fastnn: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, run.Error);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,0\n1,x,1\n", "bad.csv, line 3, column 2", "'x'")]
    [InlineData("a,b,y\n1,2,0\n1,2\n", "bad.csv, line 3:", "2 cells, but the header has 3 columns")]
    [InlineData("a,b,y\n1,2,0\nNaN,2,1\n", "bad.csv, line 3, column 1", "not a finite number")]
    [InlineData("a,b,y\n1,2,0\n1,Infinity,1\n", "bad.csv, line 3, column 2", "not a finite number")]
    [InlineData("", "bad.csv, line 1:", "empty")]
    [InlineData("a,b,y\n", "bad.csv, line 1:", "no data rows")]
    [InlineData("a;b;y\n1,5;2;0\n", "bad.csv, line 2, column 1", "'.' as the decimal point")]
    [InlineData("a,b,y\n\"1,2,0\n", "bad.csv, line 2, column 1", "not closed")]
    public void MalformedCsvNamesFileLineAndColumn(string text, string where, string problem)
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", cli.Write("bad.csv", text)), where, problem);
    }

    [Fact]
    public void AClassificationTargetWithOneClassIsRejected()
    {
        using var cli = new Cli();
        string data = cli.Write("one.csv", "a,kind\n1,cat\n2,cat\n3,cat\n");
        AssertUsageError(Train(cli, "--data", data), "one.csv, line 1, column 2", "one class ('cat')");
    }

    [Fact]
    public void AMissingLabelColumnIsNamed()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", Cli.Data("diabetes.csv"), "--label-column", "outcome"), "diabetes.csv, line 1", "no label column 'outcome'", "bmi");
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", cli.PathOf("nothing.csv")), "--data", "nothing.csv");
    }

    [Fact]
    public void BinaryNeedsTwoClasses()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--task", "binary"), "--task binary needs two classes", "has 10");
    }

    [Theory]
    [InlineData("--dropout", "1.5", "--dropout must be in [0, 1)")]
    [InlineData("--layers", "64,x", "--layers: 'x' is not a positive integer")]
    [InlineData("--layers", "0", "--layers: '0' is not a positive integer")]
    [InlineData("--schedule", "linear", "--schedule: 'linear' is not a schedule")]
    [InlineData("--schedule", "step:0:0.5", "--schedule: 'step:0:0.5' is not a schedule")]
    [InlineData("--lr", "-1", "--lr must be a finite number > 0")]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1")]
    [InlineData("--test-fraction", "1", "--test-fraction must be in [0, 1)")]
    [InlineData("--weight-decay", "-0.1", "--weight-decay must be a finite number ≥ 0")]
    [InlineData("--clip-norm", "0", "--clip-norm must be a finite number > 0")]
    [InlineData("--warmup", "-1", "--warmup must be at least 0")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--momentum", "0.9", "--momentum applies to sgd and rmsprop")]
    [InlineData("--nesterov", null, "--nesterov needs --optimizer sgd and --momentum > 0")]
    [InlineData("--activation", "swish", "swish")]
    [InlineData("--optimizer", "lbfgs", "lbfgs")]
    [InlineData("--task", "cluster", "cluster")]
    [InlineData("--lr", "fast", "fast")]
    [InlineData("--no-such-option", null, "--no-such-option")]
    public void ABadOptionValueNamesTheOption(string option, string? value, string message)
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, value is null ? [option] : [option, value]), message);
    }

    [Fact]
    public void AnUnknownCommandIsAUsageError()
    {
        using var cli = new Cli();
        AssertUsageError(cli.Run("fit"), "fit");
    }
}
