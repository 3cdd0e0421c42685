using System.Text.RegularExpressions;

namespace FastNN.Cli.Tests;

/// <summary>A count of one takes the singular: a one-row or one-feature file was reported as "1 rows", "1 features".</summary>
public class CountWordingTests
{
    // No message anywhere says "1 rows" (nor "1 training rows", "1 features", "1 epochs", "1 steps", "of 1 rows").
    private static void AssertNoPluralOfOne(CliRun run) =>
        Assert.DoesNotMatch(new Regex(@"\b1 (training )?(rows|features|epochs|steps)\b"), run.Out + run.Error);

    [Fact]
    public void EvalAndPredictOfAOneRowFileSayRow()
    {
        using var cli = new Cli();
        string model = cli.PathOf("cancer.safetensors"), data = Cli.Data("breast_cancer.csv");
        Assert.Equal(0, cli.Run("train", "--data", data, "--layers", "8", "--epochs", "1", "--save", model).ExitCode);
        string[] lines = File.ReadAllLines(data);
        string one = cli.Write("one.csv", lines[0] + "\n" + lines[1] + "\n");

        CliRun eval = cli.Run("eval", "--model", model, "--data", one);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("data: one.csv, 1 row\n", eval.Out.Replace("\r", ""));
        Assert.Matches(@"accuracy \d+\.00% \([01] of 1 row\)", eval.Out);
        AssertNoPluralOfOne(eval);
    }

    [Fact]
    public void TrainingOnOneFeatureAndOneTrainingRowSaysFeatureAndRow()
    {
        using var cli = new Cli();
        // Three rows: a regression holding out one would have no R² to score (refused), so two are held out.
        string three = cli.Write("three.csv", "x,y\n1,2\n3,5\n4,7\n");
        CliRun train = cli.Run("train", "--data", three, "--task", "regress", "--test-fraction", "0.5", "--layers", "", "--epochs", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("data: three.csv, 3 rows, 1 feature, target 'y'", train.Out);
        Assert.Contains("split: 1 training row, 2 held out", train.Out);
        Assert.Matches(@"held-out R² \S+, RMSE \S+ \(2 rows\)", train.Out);
        Assert.Contains("training: ", train.Out);
        AssertNoPluralOfOne(train);

        CliRun resumed = cli.Run("train", "--data", three, "--task", "regress", "--test-fraction", "0.5", "--layers", "", "--epochs", "1",
            "--checkpoint-every", "1", "--checkpoint", cli.PathOf("c.safetensors"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        CliRun done = cli.Run("train", "--data", three, "--task", "regress", "--test-fraction", "0.5", "--layers", "", "--epochs", "1",
            "--resume", cli.PathOf("c.safetensors"), "--save", cli.PathOf("again.safetensors"));
        Assert.True(done.ExitCode == 0, done.ToString());
        Assert.Contains("1 of 1 epoch done", done.Out);
        AssertNoPluralOfOne(done);
    }

    [Fact]
    public void ErrorsAboutAOneRowFileSayRow()
    {
        using var cli = new Cli();
        string one = cli.Write("one.csv", "x,y\n1,2\n");

        CliRun split = cli.Run("train", "--data", one, "--task", "regress", "--epochs", "1");
        Assert.True(split.ExitCode == 2, split.ToString());
        Assert.Contains("--test-fraction 0.2: 1 row is too few to split this way", split.Error);

        CliRun dropLast = cli.Run("train", "--data", one, "--task", "regress", "--test-fraction", "0", "--drop-last", "--epochs", "1");
        Assert.True(dropLast.ExitCode == 2, dropLast.ToString());
        Assert.Contains("--drop-last: the 1 training row is fewer than one batch of 32", dropLast.Error);

        CliRun folds = cli.Run("cv", "--data", one, "--task", "regress", "--folds", "2");
        Assert.True(folds.ExitCode == 2, folds.ToString());
        Assert.Contains("--folds 2 is more than the 1 row.", folds.Error);

        CliRun oneClass = cli.Run("train", "--data", cli.Write("word.csv", "x,y\n1,cat\n"), "--epochs", "1");
        Assert.True(oneClass.ExitCode == 2, oneClass.ToString());
        Assert.Contains("holds one class ('cat') in its one row; classification needs at least two", oneClass.Error);

        foreach (CliRun run in new[] { split, dropLast, folds, oneClass })
            AssertNoPluralOfOne(run);
    }
}
