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

    [Theory]
    [InlineData("1e20")] // predictions near 1e20: their squared errors overflow float's MSE
    [InlineData("1e160", "--double")] // near 1e160: double's
    public void ATrainRunWhoseFinalLossIsInfiniteFailsAsDivergedAndSavesNothing(string lr, params string[] more)
    {
        // One SGD step of the whole training set leaves a linear model of diabetes finite, its predictions finite but so
        // large that the mean squared error overflows. Before: "held-out R² -Infinity" (in float, -5.9E+40), exit 0 and
        // the model saved, while a run of one more epoch failed as diverged ("The training objective is Infinity at step 1").
        using var cli = new Cli();
        CliRun run = cli.Run(["train", "--data", Cli.Data("diabetes.csv"), "--optimizer", "sgd", "--lr", lr, "--epochs", "1",
            "--batch-size", "100000", "--layers", "", "--save", cli.PathOf("model.safetensors"), "--plot", cli.PathOf("model.png"), .. more]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("fastnn: The training diverged: after its last step (step 0), the held-out loss is Infinity (the network's outputs are so large that it overflows); nothing saved. Lower the learning rate, clip the gradients or check the data.",
            Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("held-out R²", run.Out);
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
        Assert.False(File.Exists(cli.PathOf("model.png")));
    }

    [Fact]
    public void ACvSettingWhoseFoldsLossIsInfiniteIsDivergedAndNeverBest()
    {
        // Before: the setting was "best", with a mean R² of -6E+40 and a mean loss of Infinity, exit 0.
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--optimizer", "sgd", "--learning-rates", "1e20", "--lambdas", "0",
            "--epochs", "1", "--batch-size", "100000", "--folds", "2", "--layers", "");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("lr 1E+20, λ 0: fold 1/2 diverged after 1 step\n", run.Out);
        Assert.Contains("lr 1E+20, λ 0: fold 2/2 diverged after 1 step\n", run.Out);
        Assert.DoesNotContain("Infinity", run.Out);
        Assert.DoesNotContain("best", run.Out);
        Assert.StartsWith("fastnn: the training diverged in every setting", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ARunWhoseFinalEvaluationIsNaNLeavesTheLastCheckpointAsItWas()
    {
        // The last epoch's checkpoint was written before the final evaluation told the divergence: the run said "nothing
        // saved" but had replaced the checkpoint with finite weights whose outputs are NaN, which no resume gets past.
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.ckpt");
        string[] run = ["train", "--data", Cli.Data("breast_cancer.csv"), "--optimizer", "sgd", "--epochs", "1", "--batch-size", "100000",
            "--layers", "8", "--checkpoint-every", "1", "--checkpoint", checkpoint];
        Assert.Equal(0, cli.Run([.. run, "--lr", "1e-3"]).ExitCode);
        byte[] good = File.ReadAllBytes(checkpoint);

        CliRun diverged = cli.Run([.. run, "--lr", "3e38"]);

        Assert.True(diverged.ExitCode == 1, diverged.ToString());
        Assert.StartsWith("fastnn: The training diverged: after its last step (step 0), the held-out accuracy is NaN", Assert.Single(diverged.ErrorLines));
        Assert.DoesNotContain("checkpoint:", diverged.Out);
        Assert.Equal(good, File.ReadAllBytes(checkpoint));
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
