namespace FastNN.Cli.Tests;

/// <summary>
/// A grid search is where learning rates too large to train are tried: a fold whose training diverges (its loss no longer
/// finite) is that setting's result, told as such, and the search goes on to the others and picks the best among the
/// settings that trained.
/// </summary>
public class CvDivergenceTests
{
    [Fact]
    public void ASettingWhoseTrainingDivergesIsReportedAndTheSearchGoesOn()
    {
        // Before: the first diverged fold ended the whole search with exit 1, no table, and a message that did not say
        // which setting ("The training objective is NaN at step 2; ...").
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("breast_cancer.csv"), "--learning-rates", "1e10,0.001", "--lambdas", "0",
            "--optimizer", "sgd", "--epochs", "2", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Error);
        string[] diverged = run.Out.Split('\n').Where(l => l.StartsWith("lr 1E+10, λ 0: fold ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, diverged.Length);
        Assert.All(diverged, line => Assert.Matches(@"^lr 1E\+10, λ 0: fold [12]/2 diverged after \d+ steps?$", line));
        string row = run.Out.Split('\n').Single(l => l.StartsWith("| 1E+10 ", StringComparison.Ordinal));
        Assert.Contains("diverged", row);
        Assert.DoesNotContain("NaN", row);
        Assert.Contains("best: lr 0.001, λ 0 ", run.Out);
    }

    [Fact]
    public void ASearchWhoseEverySettingDivergesFailsAlsoWhenTheGridRepeatsASetting()
    {
        // Before: the diverged settings were counted as distinct (lr, λ) pairs, so a grid naming one twice (1e10,1e10, or
        // 1e10 and 1E+10) had fewer of them than settings: every setting diverged, yet the search exited 0 with no best
        // and no word why.
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("breast_cancer.csv"), "--learning-rates", "1e10,1E+10", "--lambdas", "0",
            "--optimizer", "sgd", "--epochs", "2", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(2, run.Out.Split('\n').Count(l => l.StartsWith("| 1E+10 ", StringComparison.Ordinal) && l.Contains("| diverged |")));
        Assert.DoesNotContain("best", run.Out);
        Assert.Equal("fastnn: the training diverged in every setting, so none is best; lower the learning rates, clip the gradients (--clip-norm) or check the data.",
            Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ASearchWhoseEverySettingDivergesHasNoBestAndFails()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("breast_cancer.csv"), "--learning-rates", "1e10", "--lambdas", "0",
            "--optimizer", "sgd", "--epochs", "2", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("| diverged |", run.Out);
        Assert.DoesNotContain("best", run.Out);
        Assert.Equal("fastnn: the training diverged in every setting, so none is best; lower the learning rates, clip the gradients (--clip-norm) or check the data.",
            Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void AFoldWhoseLastStepLeavesWeightsNotFiniteIsReportedDiverged()
    {
        // One step per fold (a batch of every row) of a linear model on x ≈ 1e18: the loss (w·x)² ≈ 1e36 and the gradient
        // 2·w·x² ≈ 1e36 are finite in float, the update lr·g ≈ 1e39 is not, and no later loss tells it. Before: the setting
        // was marked best, "R² -Infinity ± NaN", and the search exited 0.
        using var cli = new Cli();
        string data = cli.Write("big.csv", "x,y\n1e18,1\n2e18,2\n1e18,3\n2e18,4\n1e18,5\n2e18,6\n");
        CliRun run = cli.Run("cv", "--data", data, "--task", "regress", "--no-standardize", "--layers", "", "--optimizer", "sgd",
            "--learning-rates", "1000", "--lambdas", "0", "--epochs", "1", "--batch-size", "1000", "--folds", "2");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("lr 1E+03, λ 0: fold 1/2 diverged after 1 step\n", run.Out);
        Assert.Contains("lr 1E+03, λ 0: fold 2/2 diverged after 1 step\n", run.Out);
        Assert.Contains("| diverged |", run.Out);
        Assert.DoesNotContain("NaN", run.Out);
        Assert.DoesNotContain("best", run.Out);
        Assert.StartsWith("fastnn: the training diverged in every setting", Assert.Single(run.ErrorLines));
    }
}
