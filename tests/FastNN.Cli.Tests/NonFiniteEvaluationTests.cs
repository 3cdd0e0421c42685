namespace FastNN.Cli.Tests;

/// <summary>
/// Weights that stay finite but so large that a forward pass overflows give NaN outputs: the run diverged as one whose
/// weights are not finite. One SGD step of the whole training set at lr 3e38 on breast_cancer leaves the 30-8-1 network
/// finite with NaN outputs (the ReLU/He variants of gradflow likewise). Before: "held-out accuracy NaN%" and exit 0, the
/// model saved; cv made such a setting best when no other trained; gradflow reported NaN% for a variant.
/// Outputs (or their loss) that overflow to ±∞ instead of NaN diverged as much, as a training loss of ±∞ does: one step
/// at lr 1e19 (float) or 1e160 (double) on diabetes leaves the 10-8-1 network's outputs infinite. Before: "held-out R²
/// -Infinity, RMSE Infinity" and exit 0, the model saved; cv made such a setting best when no other trained; gradflow
/// reported an accuracy for a variant whose held-out loss was infinite.
/// </summary>
public class NonFiniteEvaluationTests
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

    [Theory]
    [InlineData(false, "1e19", "0.2", "the held-out RMSE is Infinity")]
    [InlineData(true, "1e160", "0.2", "the held-out RMSE is Infinity")]
    // Outputs of 4.5e22 (float) or 4.5e202 (double): a finite RMSE, but the mean squared error, the loss, overflows.
    [InlineData(false, "1e10", "0", "the training-set loss is Infinity")]
    [InlineData(true, "1e100", "0", "the training-set loss is Infinity")]
    public void ATrainRunWhoseFinalEvaluationIsInfiniteFailsAsDivergedAndSavesNothing(bool isDouble, string lr, string testFraction, string problem)
    {
        using var cli = new Cli();
        string[] args = ["train", "--data", Cli.Data("diabetes.csv"), "--test-fraction", testFraction, "--optimizer", "sgd",
            "--lr", lr, "--epochs", "1", "--batch-size", "100000", "--layers", "8",
            "--save", cli.PathOf("model.safetensors"), "--plot", cli.PathOf("model.png")];
        CliRun run = cli.Run(isDouble ? [.. args, "--double"] : args);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal($"fastnn: The training diverged: after its last step (step 0), {problem} (the network's outputs overflow); nothing saved. Lower the learning rate, clip the gradients or check the data.",
            Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("RMSE Infinity (", run.Out);
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
        Assert.False(File.Exists(cli.PathOf("model.png")));
    }

    [Theory]
    [InlineData(false, "1e19", "1E+19")]
    [InlineData(true, "1e160", "1E+160")]
    public void ACvSettingWhoseFoldsEvaluateToInfinityIsDivergedAndNeverBest(bool isDouble, string lr, string label)
    {
        using var cli = new Cli();
        string[] args = ["cv", "--data", Cli.Data("diabetes.csv"), "--optimizer", "sgd", "--learning-rates", lr, "--lambdas", "0",
            "--epochs", "1", "--batch-size", "100000", "--folds", "2", "--layers", "8"];
        CliRun run = cli.Run(isDouble ? [.. args, "--double"] : args);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"lr {label}, λ 0: fold 1/2 diverged after 1 step\n", run.Out);
        Assert.Contains($"lr {label}, λ 0: fold 2/2 diverged after 1 step\n", run.Out);
        Assert.Contains("| diverged |", run.Out);
        Assert.DoesNotContain("Infinity", run.Out);
        Assert.DoesNotContain("best", run.Out);
        Assert.StartsWith("fastnn: the training diverged in every setting", Assert.Single(run.ErrorLines));
    }

    // gradflow trains in float only (it has no --double). One step at lr 2e38 leaves the sigmoid/Xavier variant's 64-wide
    // network with finite logits so far apart that the held-out cross-entropy's mean overflows float: before, 10.6 %.
    [Fact]
    public void AGradflowVariantWhoseHeldOutLossIsInfiniteIsDiverged()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--depth", "1", "--width", "64", "--epochs", "1", "--batch-size", "100000", "--lr", "2e38",
            "--plot", cli.PathOf("flow.png"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"\| sigmoid, Xavier +\|.*\| +diverged after 1 step \|", run.Out);
    }
}
