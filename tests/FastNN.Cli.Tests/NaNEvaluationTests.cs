namespace FastNN.Cli.Tests;

/// <summary>
/// Weights that stay finite but so large that a forward pass overflows give NaN outputs: the run diverged as one whose
/// weights are not finite. One SGD step of the whole training set at lr 3e38 on breast_cancer leaves the 30-8-1 network
/// finite with NaN outputs (the ReLU/He variants of gradflow likewise). Before: "held-out accuracy NaN%" and exit 0, the
/// model saved; cv made such a setting best when no other trained; gradflow reported NaN% for a variant.
/// </summary>
public class NaNEvaluationTests
{
    [Theory]
    [InlineData("0.2", "held-out")]
    [InlineData("0", "training-set")]
    public void ATrainRunWhoseFinalEvaluationIsNaNFailsAsDivergedAndSavesNothing(string testFraction, string rows)
    {
        using var cli = new Cli();
        CliRun run = cli.Run("train", "--data", Cli.Data("breast_cancer.csv"), "--test-fraction", testFraction, "--optimizer", "sgd",
            "--lr", "3e38", "--epochs", "1", "--batch-size", "100000", "--layers", "8",
            "--save", cli.PathOf("model.safetensors"), "--plot", cli.PathOf("model.png"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal($"fastnn: The training diverged: after its last step (step 0), the {rows} accuracy is NaN (the network's outputs overflow); nothing saved. Lower the learning rate, clip the gradients or check the data.",
            Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("accuracy NaN% (", run.Out);
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
        Assert.False(File.Exists(cli.PathOf("model.png")));
    }

    [Fact]
    public void ACvSettingWhoseFoldsEvaluateToNaNIsDivergedAndNeverBest()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("breast_cancer.csv"), "--optimizer", "sgd", "--learning-rates", "3e38", "--lambdas", "0",
            "--epochs", "1", "--batch-size", "100000", "--folds", "2", "--layers", "8");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("lr 3E+38, λ 0: fold 1/2 diverged after 1 step\n", run.Out);
        Assert.Contains("lr 3E+38, λ 0: fold 2/2 diverged after 1 step\n", run.Out);
        Assert.Contains("| diverged |", run.Out);
        Assert.DoesNotContain("NaN", run.Out);
        Assert.DoesNotContain("best", run.Out);
        Assert.StartsWith("fastnn: the training diverged in every setting", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void AGradflowVariantWhoseHeldOutAccuracyIsNaNIsDiverged()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--depth", "3", "--width", "8", "--epochs", "1", "--batch-size", "100000", "--lr", "3e38",
            "--plot", cli.PathOf("flow.png"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("NaN", run.Out);
        Assert.Matches(@"\| ReLU, He, residual +\|.*\| +diverged after 1 step \|", run.Out);
        Assert.Matches(@"\| ReLU, default init, batch norm +\|.*\| +diverged after 1 step \|", run.Out);
    }
}
