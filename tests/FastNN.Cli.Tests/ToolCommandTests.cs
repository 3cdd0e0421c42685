using System.Globalization;
using FastNN.Intrinsics;

namespace FastNN.Cli.Tests;

/// <summary>The commands beside train: gradcheck, gradflow, cv, info, bench.</summary>
public class ToolCommandTests
{
    [Fact]
    public void GradcheckPassesEveryBuiltInLayerAndLoss()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradcheck");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (string check in new[] { "Dense", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU (erf)", "SiLU", "Softplus", "Softmax",
            "LogSoftmax", "Dropout", "BatchNorm1d (training)", "BatchNorm1d (evaluation)", "LayerNorm", "Residual", "Concat", "MSE loss", "Huber loss",
            "BCE with logits loss", "Softmax cross-entropy loss" })
            Assert.Contains($"| {check}", run.Out);
        Assert.DoesNotContain("FAIL", run.Out);
        // A passing run prints no line a reader (or a log filter) takes for an error: its legend once began "error:".
        Assert.DoesNotContain(run.Out.Split('\n'), line => line.StartsWith("error", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void GradflowFlagsTheSigmoidNetworkAndNotTheHeInitializedReluNetwork()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.True(run.ExitCode == 0, run.ToString());
        string Row(string variant) => run.Out.Split('\n').Single(l => l.StartsWith($"| {variant} ", StringComparison.Ordinal));
        Assert.Contains("vanishing", Row("sigmoid, default init"));
        Assert.Contains(" no ", Row("ReLU, He"));
        Assert.Equal(8, run.Out.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| variant", StringComparison.Ordinal)));
        Assert.True(new FileInfo(cli.PathOf("flow.png")).Length > 10_000);
    }

    [Fact]
    public void GradflowRunsFewerStepsThanTheMonitorsGrowthWindow()
    {
        using var cli = new Cli();
        // 456 training rows in batches of 128: 4 steps, fewer than the 10 samples the monitor's growth test spans.
        CliRun run = cli.Run("gradflow", "--data", Cli.Data("breast_cancer.csv"), "--depth", "2", "--epochs", "1", "--batch-size", "128",
            "--plot", cli.PathOf("flow.png"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(8, run.Out.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| variant", StringComparison.Ordinal)));
    }

    [Fact]
    public void GradflowHelpListsNoOptionItRefuses()
    {
        // --double was listed ("Train in double precision instead of float.") and then refused whatever its use.
        using var cli = new Cli();
        CliRun help = cli.Run("gradflow", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotMatch(@"(?m)^\s+--double\b", help.Out);
        CliRun run = cli.Run("gradflow", "--double", "--depth", "1", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--double'", run.Error);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void GradflowWithAdamTakesNoMomentumByDefault(string optimizer)
    {
        // gradflow's momentum of 0.9 is sgd's and rmsprop's default: with adam it made the run fail on an option not given.
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--optimizer", optimizer, "--depth", "1", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"training: {optimizer} lr 0.001", run.Out);
        CliRun given = cli.Run("gradflow", "--optimizer", optimizer, "--momentum", "0.9", "--depth", "1", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.Equal(2, given.ExitCode);
        Assert.Contains("--momentum applies to sgd and rmsprop", given.Error);
    }

    [Fact]
    public void CvPrintsEverySettingAndTheBest()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--layers", "", "--optimizer", "sgd", "--lr", "0.01",
            "--folds", "3", "--lambdas", "0,10");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3-fold cross-validation", run.Out);
        // The default epochs as train's, on the smallest training part: 442 − 148 = 294 rows, 10 batches, 200 epochs.
        Assert.Contains("200 epochs of batch 32 (by default at least 20 epochs and 2000 steps)", run.Out);
        Assert.Equal(6, run.Out.Split('\n').Count(l => l.StartsWith("lr 0.01, λ ", StringComparison.Ordinal)));
        // A penalty of λ = 10 on standardized ridge regression shrinks the weights far: the lighter setting must win.
        Assert.Contains("best: lr 0.01, λ 0 (l2): R²", run.Out);
    }

    [Theory]
    [InlineData("l2", "--l2", "L2 0.5")]
    [InlineData("l1", "--l1", "L1 0.5")]
    [InlineData("weight-decay", "--weight-decay", "weight decay 0.5")]
    public void CvDescribesTheGridItRunsNotTheValuesItReplaces(string kind, string option, string replaced)
    {
        // The set-up line said "training: adamw lr 0.001, ..., L2 0.5": a rate and a λ no fold ran, the grid replacing both.
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--layers", "", "--folds", "2", "--epochs", "1",
            "--learning-rates", "0.01,0.1", "--lambdas", "0,0.2", "--lambda-kind", kind, option, "0.5");
        Assert.True(run.ExitCode == 0, run.ToString());
        string setup = run.Out.Split('\n').Single(l => l.StartsWith("model: ", StringComparison.Ordinal));
        Assert.DoesNotContain("lr 0.001", setup);
        Assert.DoesNotContain(replaced, setup);
        Assert.Contains($"grid: lr 0.01, 0.1 × λ ({kind}) 0, 0.2; 2-fold cross-validation", run.Out);
    }

    // The best line rounded to 3 significant figures ("lr 0.0123, λ 0.000123"): a script copying it into train got
    // another setting than the one cross-validated. The table gives the values as typed too.
    [Fact]
    public void CvBestLineGivesTheSettingExactly()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--layers", "", "--folds", "2", "--epochs", "1",
            "--learning-rates", "0.0123456", "--lambdas", "0.000123456");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("best: lr 0.0123456, λ 0.000123456 (l2): R²", run.Out);
        Assert.Equal([("0.0123456", "0.000123456")], CvTableSettings(run.Out));
    }

    // The table, the grid: line and the fold lines rounded the grid's values to 3 figures: 0.001 and 0.0010001 both read
    // "0.001", two rows (and two settings' folds) of one label. Each value reads now with the figures that give it back,
    // as typed, and an ordinary grid, whose values 3 figures give exactly, reads as before.
    [Theory]
    [InlineData("0.001,0.0010001", "0.0001,1.0001e-4", "lr 0.001, 0.0010001 × λ (l2) 0.0001, 0.00010001",
        new[] { "0.001", "0.0010001" }, new[] { "0.0001", "0.00010001" })]
    [InlineData("1e-2,0.3,1e-5", "0,1e-4,10,1e3", "lr 0.01, 0.3, 1E-05 × λ (l2) 0, 0.0001, 10, 1E+03",
        new[] { "0.01", "0.3", "1E-05" }, new[] { "0", "0.0001", "10", "1E+03" })]
    public void CvLabelsEveryGridValueApartAsTyped(string rates, string lambdas, string grid, string[] lrLabels, string[] lambdaLabels)
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--layers", "", "--folds", "2", "--epochs", "1",
            "--learning-rates", rates, "--lambdas", lambdas);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"grid: {grid}; 2-fold cross-validation", run.Out);
        (string, string)[] settings = lrLabels.SelectMany(lr => lambdaLabels.Select(lambda => (lr, lambda))).ToArray();
        Assert.Equal(settings, CvTableSettings(run.Out));
        foreach ((string lr, string lambda) in settings)
            Assert.Contains($"lr {lr}, λ {lambda}: fold 2/2 ", run.Out);
        // Aligned: every line of the table as wide as its border.
        string[] table = run.Out.Split('\n').Where(l => l.StartsWith('|') || l.StartsWith('+')).ToArray();
        Assert.All(table, l => Assert.Equal(table[0].Length, l.Length));
    }

    // The (lr, λ) cells of the cv table's rows, in order.
    private static (string Lr, string Lambda)[] CvTableSettings(string output) => output.Split('\n')
        .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
        .Where(cells => cells.Length > 3 && cells[0].Length == 0 && double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        .Select(cells => (cells[1], cells[2]))
        .ToArray();

    // gradflow --l2 X adds X to every variant's penalty: the L2 variant, labelled "L2 1e-3", ran with λ = 1e-3 + X.
    [Fact]
    public void GradflowLabelsTheL2VariantWithThePenaltyItRan()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--l2", "0.01", "--depth", "1", "--width", "4", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("sigmoid, default init, L2 1e-3 + --l2 0.01 ", run.Out);
        CliRun without = cli.Run("gradflow", "--depth", "1", "--width", "4", "--epochs", "1", "--plot", cli.PathOf("flow.png"));
        Assert.True(without.ExitCode == 0, without.ToString());
        Assert.Contains("sigmoid, default init, L2 1e-3 ", without.Out);
        Assert.DoesNotContain("--l2", without.Out);
    }

    // A variant whose last step leaves weights NaN or infinite (no next step's loss tells it) diverged, as one whose next
    // loss is not finite. One SGD step of the whole training set at lr 3e38: the ReLU/He network's gradient has elements
    // past 3.4e38 / 3e38 ≈ 1.13, whose weights overflow float. Before: a held-out accuracy, in the table too.
    [Fact]
    public void GradflowReportsAVariantWhoseLastStepLeavesWeightsNotFiniteAsDiverged()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--depth", "3", "--width", "8", "--epochs", "1", "--batch-size", "100000", "--lr", "3e38",
            "--plot", cli.PathOf("flow.png"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ReLU, He: first/output layer 1.5e+00 at init, 1.5e+00 in epoch 1; diverged after 1 step\n", run.Out);
        Assert.Matches(@"\| ReLU, He +\|.*\| +diverged after 1 step \|", run.Out);
    }

    [Fact]
    public void InfoNamesThePathInUse()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("info");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($@"SIMD path\s+\|\s+{Isa.Path}\s", run.Out);
        Assert.Contains("threads", run.Out);
    }

    [Theory]
    [InlineData("abc", "(FASTNN_NUM_THREADS=abc ignored: not a positive integer)")]
    [InlineData("0", "(FASTNN_NUM_THREADS=0 ignored: not a positive integer)")]
    [InlineData("100000", "(FASTNN_NUM_THREADS=100000, capped at the processors)")]
    // Past int.MaxValue: it said "ignored: not a positive integer".
    [InlineData("99999999999", "(FASTNN_NUM_THREADS=99999999999, capped at the processors)")]
    [InlineData("-5", "(FASTNN_NUM_THREADS=-5 ignored: not a positive integer)")]
    [InlineData("2.5", "(FASTNN_NUM_THREADS=2.5 ignored: not a positive integer)")]
    public void InfoSaysWhenFastnnNumThreadsIsNotTakenAsGiven(string value, string said)
    {
        // It printed "2 of 2 (FASTNN_NUM_THREADS=abc)", as if the kernels followed the value (Parallelism ignores it).
        using var cli = new Cli();
        string? before = Environment.GetEnvironmentVariable("FASTNN_NUM_THREADS");
        Environment.SetEnvironmentVariable("FASTNN_NUM_THREADS", value);
        try
        {
            CliRun run = cli.Run("info");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains(said, run.Out);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FASTNN_NUM_THREADS", before);
        }
    }

    [Fact]
    public void BenchReportsGemmAndTrainingStepAgainstThePeak()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("bench", "--size", "64", "--time", "0.01", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("float FMA peak", run.Out);
        Assert.Contains("float GEMM 64×64×64", run.Out);
        Assert.Contains("MLP 784-256-256-10", run.Out);
    }

    // Under a system language with a decimal comma, gradcheck's closing line said 'rtol 0,001' and bench's times '5,0 µs'
    // beside GFLOP/s of '104.9': the only figures the commands wrote in the system's language.
    [Fact]
    public void GradcheckAndBenchWriteNumbersWithADecimalPointInAnyLanguage()
    {
        using var cli = new Cli();
        CultureInfo system = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            CliRun gradcheck = cli.Run("gradcheck");
            Assert.True(gradcheck.ExitCode == 0, gradcheck.ToString());
            Assert.EndsWith("(eps 1E-06, atol 1E-05, rtol 0.001)\n", gradcheck.Out);
            CliRun bench = cli.Run("bench", "--size", "32", "--time", "0.01", "--threads", "1");
            Assert.True(bench.ExitCode == 0, bench.ToString());
            string[] times = bench.Out.Split('\n').Where(l => l.StartsWith("| float GEMM", StringComparison.Ordinal) || l.StartsWith("| MLP", StringComparison.Ordinal))
                .Select(l => l.Split('|')[3].Trim()).ToArray();
            Assert.Equal(2, times.Length); // one thread: the GEMM and the MLP step
            Assert.All(times, time => Assert.Matches(@"^[0-9]+\.[0-9]+ (ms|µs)$", time));
        }
        finally
        {
            CultureInfo.CurrentCulture = system;
        }
    }

    [Fact]
    public void BenchReportsTheThreadsItUsesNotMoreThanTheProcessors()
    {
        using var cli = new Cli();
        int asked = Environment.ProcessorCount + 3;
        CliRun run = cli.Run("bench", "--size", "32", "--time", "0.01", "--threads", asked.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($@"MLP 784-256-256-10[^|]*\|\s*{Environment.ProcessorCount}\s*\|", run.Out);
        Assert.DoesNotMatch($@"\|\s*{asked}\s*\|", run.Out);
    }
}
