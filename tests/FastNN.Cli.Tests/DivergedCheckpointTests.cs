using System.Runtime.InteropServices;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Cli.Tests;

/// <summary>
/// A run whose step takes a gradient that is not finite under a finite loss (no guard in <c>fastnn train</c>) leaves the
/// weights, and with most optimizers their state, NaN or infinite, which no resumed run gets past (<c>Checkpoint.Load</c>
/// refuses such a state, and <c>Checkpoint.Save</c> does): where train would save a checkpoint of that run it saves
/// none, says so, and exits as the run does (1 when it diverges at its next step or ends, 130 when Ctrl-C stopped it).
/// </summary>
public class DivergedCheckpointTests
{
    // A linear model from w = b = 0 on rows x = 1e21, target 1e18: the first step's loss (1e18)² = 1e36 is finite in
    // float, its gradient 2·(0 − 1e18)·1e21 = −2e39 is not, and AdamW's state and the weight become −∞ and NaN; the
    // second step's loss is NaN.
    private static string[] Run(Cli cli, int epochs, int checkpointEvery, params string[] more)
    {
        var model = new Sequential<float>([new Dense<float>(1, 1)], maxBatch: 1, seed: 1);
        model.Parameters.Clear();
        string weights = cli.PathOf("zero.safetensors");
        ModelFile.Save(weights, model);
        return ["train", "--data", cli.Write("rows.csv", "x,y\n" + string.Concat(Enumerable.Repeat("1e21,1e18\n", 4))), "--task", "regress",
            "--layers", "", "--no-standardize", "--test-fraction", "0", "--batch-size", "4", "--epochs", $"{epochs}",
            "--init-weights", weights, .. checkpointEvery > 0 ? ["--checkpoint-every", $"{checkpointEvery}", "--checkpoint", cli.PathOf("run.ckpt")] : new string[0],
            .. more];
    }

    [Fact]
    public void AnEpochsCheckpointOfADivergedStateIsSkippedAndTheRunFailsAsDiverged()
    {
        // Before: the checkpoint of epoch 1 was written, holding the −∞ and NaN, and --resume refused it.
        using var cli = new Cli();
        CliRun run = cli.Run(Run(cli, epochs: 2, checkpointEvery: 1));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(2, run.ErrorLines.Length);
        Assert.Equal("fastnn: no checkpoint saved after epoch 1: the training diverged: weight '0.weight' holds NaN (element 0), which no resumed run could train on.", run.ErrorLines[0]);
        Assert.StartsWith("fastnn: The training objective is NaN at step 1", run.ErrorLines[1]);
        Assert.False(File.Exists(cli.PathOf("run.ckpt")));
    }

    [Fact]
    public void ALastEpochsCheckpointOfADivergedStateIsSkippedAndNotNamedAsWritten()
    {
        // The last epoch's step is the one that diverges: the run ends there, and its last line named the checkpoint it
        // did not write. The last epoch's checkpoint waits for the run's end to be checked: the one line says so.
        using var cli = new Cli();
        CliRun run = cli.Run(Run(cli, epochs: 1, checkpointEvery: 1));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("fastnn: The training diverged: after its last step (step 0), weight '0.weight' holds NaN (element 0); nothing saved.", Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("checkpoint:", run.Out);
        Assert.False(File.Exists(cli.PathOf("run.ckpt")));
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
    }

    [Theory]
    [InlineData("adamw", "NaN")] // the weight −∞·0 … NaN through AdamW's −∞/∞
    [InlineData("sgd", "Infinity")] // no state: the weight 0 − 0.01·(−∞) = +∞, and a checkpoint would be saved
    public void ARunWhoseLastStepTakesANonFiniteGradientFailsAsDivergedAndSavesNoModel(string optimizer, string weight)
    {
        // No later step's loss catches the last one's non-finite gradient. Before: exit 0, the model saved with the NaN
        // or infinite weight, and "training-set R² 0.000, RMSE NaN"; the README says a diverged run exits 1.
        using var cli = new Cli();
        CliRun run = cli.Run(Run(cli, epochs: 1, checkpointEvery: 0, "--optimizer", optimizer));

        Assert.True(run.ExitCode == 1, run.ToString());
        string line = Assert.Single(run.ErrorLines);
        Assert.Equal($"fastnn: The training diverged: after its last step (step 0), weight '0.weight' holds {weight} (element 0); nothing saved. Lower the learning rate, clip the gradients or check the data.", line);
        Assert.DoesNotContain("model:", run.Out[run.Out.IndexOf("training:", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("R²", run.Out);
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
        Assert.False(File.Exists(cli.PathOf("model.png")));
    }

    [Theory]
    [InlineData("sgd", "Infinity")] // no state: the weight 0 − 0.01·(−∞) = +∞
    [InlineData("rmsprop", "NaN")] // a square average of +∞, which a finite run may hold too: the weight −∞/∞
    public void ACheckpointOfDivergedWeightsUnderAnOptimizerStateTheLibrarySavesIsSkipped(string optimizer, string weight)
    {
        // Before: the checkpoint after epoch 1 was written with the weight not finite (replacing an earlier, good one),
        // and its resume failed at its first step.
        using var cli = new Cli();
        CliRun run = cli.Run(Run(cli, epochs: 2, checkpointEvery: 1, "--optimizer", optimizer));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(2, run.ErrorLines.Length);
        Assert.Equal($"fastnn: no checkpoint saved after epoch 1: the training diverged: weight '0.weight' holds {weight} (element 0), which no resumed run could train on.", run.ErrorLines[0]);
        Assert.Matches("^fastnn: The training objective is (Infinity|NaN) at step 1;", run.ErrorLines[1]);
        Assert.False(File.Exists(cli.PathOf("run.ckpt")));
    }

    [Fact]
    public void ACtrlCAfterTheStateDivergedSavesNoCheckpointAndExits130()
    {
        // Before: the checkpoint was written at the stop and the message said to resume it, which --resume refused.
        using var cli = new Cli();
        CliRun run = cli.RunSignalled(PosixSignal.SIGINT, "epoch 1/5", Run(cli, epochs: 5, checkpointEvery: 1000));

        Assert.True(run.ExitCode == 130, run.ToString());
        string line = Assert.Single(run.ErrorLines);
        Assert.Equal("fastnn: interrupted (Ctrl-C) in epoch 2 of 5, after 1 step; nothing saved: the training diverged: weight '0.weight' holds NaN (element 0), which no resumed run could train on.", line);
        Assert.DoesNotContain("--resume", line);
        Assert.False(File.Exists(cli.PathOf("run.ckpt")));
    }
}
