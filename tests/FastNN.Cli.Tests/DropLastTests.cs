using System.Globalization;
using System.Text;

namespace FastNN.Cli.Tests;

/// <summary>
/// <c>--drop-last</c>, and <c>--batch-norm</c> on data whose last batch would hold one row: refused before training,
/// naming the way out, rather than failing in the middle of the first epoch.
/// </summary>
public class DropLastTests
{
    // y = x − 2·z on a fixed grid: numbers, so a regression.
    private static string Csv(Cli cli, int rows)
    {
        var text = new StringBuilder("x,z,y\n");
        for (int i = 0; i < rows; i++)
        {
            double x = i % 7 / 7.0, z = i % 5 / 5.0;
            text.Append(CultureInfo.InvariantCulture, $"{x:F4},{z:F4},{x - 2 * z:F4}\n");
        }
        return cli.Write("rows.csv", text.ToString());
    }

    private static string[] Train(Cli cli, int rows, params string[] extra) =>
        ["train", "--data", Csv(cli, rows), "--task", "regress", "--test-fraction", "0", "--layers", "8", "--batch-norm", "--batch-size", "16", .. extra];

    [Fact]
    public void BatchNormWithALastBatchOfOneRowIsAUsageErrorThatSuggestsDropLast()
    {
        using var cli = new Cli();
        CliRun run = cli.Run(Train(cli, 33, "--epochs", "2"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.StartsWith("fastnn: --batch-norm: the 33 training rows in batches of 16 leave a last batch of 1 row", run.Error);
        Assert.Contains("add --drop-last", run.Error);
        Assert.Contains("another --batch-size", run.Error);
        Assert.DoesNotContain("epoch 1/", run.Out);
        Assert.False(File.Exists(cli.PathOf("model.safetensors")));
    }

    [Fact]
    public void DropLastTrainsTheSameRunAndTheDefaultEpochsCountItsFullBatchesOnly()
    {
        // 33 rows in batches of 16 less the last: 2 steps an epoch, so the default budget is ⌈2000 / 2⌉ = 1000 epochs (not 667).
        using var cli = new Cli();
        CliRun run = cli.Run(Train(cli, 33, "--drop-last"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1000 epochs of batch 16 (incomplete last batch dropped)", run.Out);
        Assert.Equal(1000, run.Out.Split('\n').Count(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.True(File.Exists(cli.PathOf("model.safetensors")));
    }

    [Fact]
    public void AResumeWithoutTheOriginalDropLastIsNamed()
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.checkpoint.safetensors");
        Assert.Equal(0, cli.Run(Train(cli, 40, "--drop-last", "--epochs", "2", "--checkpoint-every", "1", "--checkpoint", checkpoint)).ExitCode);
        CliRun run = cli.Run(Train(cli, 40, "--epochs", "3", "--resume", checkpoint, "--save", cli.PathOf("resumed.safetensors")));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--drop-last on there, off here", run.Error);
    }

    [Fact]
    public void DropLastWithFewerRowsThanOneBatchIsAUsageError()
    {
        using var cli = new Cli();
        CliRun run = cli.Run(Train(cli, 15, "--drop-last", "--epochs", "1"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("fastnn: --drop-last: the 15 training rows are fewer than one batch of 16", run.Error);
    }

    [Fact]
    public void CrossValidationChecksEveryFoldsTrainingRowsFirst()
    {
        // 34 rows in 2 folds: 17 training rows a fold, in batches of 16 and 1.
        using var cli = new Cli();
        string data = Csv(cli, 34);
        CliRun refused = cli.Run("cv", "--data", data, "--task", "regress", "--folds", "2", "--layers", "8", "--batch-norm", "--batch-size", "16", "--epochs", "1");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("fastnn: --batch-norm: the 17 training rows in batches of 16 leave a last batch of 1 row", refused.Error);

        CliRun run = cli.Run("cv", "--data", data, "--task", "regress", "--folds", "2", "--layers", "8", "--batch-norm", "--batch-size", "16", "--epochs", "1", "--drop-last");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("best: lr", run.Out);
    }
}
