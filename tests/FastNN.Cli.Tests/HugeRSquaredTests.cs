namespace FastNN.Cli.Tests;

// R² (and its std) printed with fixed decimals wrote every digit of a far-off model's: a linear model at its start on
// x ≈ 1e18 predicts ≈ 1e18 for targets 1…10, and train ended "held-out R² -4362085978462370315132315517698703360.000".
// From a million up in size it is now 4 significant figures with an exponent, in train, cv and eval alike; so are the
// losses (≈ 1e36 here), which wrote 37 digits too.
public class HugeRSquaredTests
{
    private const string Data = "x,y\n1e18,1\n2e18,2\n1e18,3\n2e18,4\n1e18,5\n2e18,6\n1e18,7\n2e18,8\n1e18,9\n2e18,10\n";
    private const string Huge = @"-\d\.\d{1,3}E\+\d\d"; // G4: -4.362E+36
    private const string HugeLoss = @"\d(\.\d{1,3})?E\+\d\d";

    [Fact]
    public void TrainAndEvalPrintAHugeRSquaredWithAnExponent()
    {
        using var cli = new Cli();
        string data = cli.Write("big.csv", Data), model = cli.PathOf("m.safetensors");
        CliRun train = cli.Run("train", "--data", data, "--task", "regress", "--no-standardize", "--layers", "", "--optimizer", "sgd", "--lr", "1e-40",
            "--epochs", "1", "--save", model, "--plot", cli.PathOf("p.png"));
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Matches($@"epoch 1/1  loss {HugeLoss}  held-out loss {HugeLoss}  RMSE .* R² {Huge}  lr ", train.Out);
        Assert.Matches($@"\nheld-out R² {Huge}, RMSE ", train.Out);

        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Matches($@"\nR² {Huge}, RMSE ", eval.Out);
    }

    [Fact]
    public void CvPrintsAHugeRSquaredAndItsStdWithAnExponent()
    {
        using var cli = new Cli();
        string data = cli.Write("big.csv", Data);
        CliRun run = cli.Run("cv", "--data", data, "--task", "regress", "--no-standardize", "--layers", "", "--optimizer", "sgd",
            "--learning-rates", "1e-40", "--lambdas", "0", "--epochs", "1", "--folds", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($@"fold 1/2 {Huge}\n", run.Out);
        Assert.Matches($@"\| +{Huge} \| +\d\.\d{{1,3}}E\+\d\d \|", run.Out);
        Assert.Matches($@"R² {Huge} ± \d\.\d{{1,3}}E\+\d\d over 2 folds", run.Out);
        Assert.Matches($@"\| +{Huge} \| +{HugeLoss} \| +{HugeLoss} \| best \|", run.Out); // mean R², std, mean loss
    }

    [Theory]
    [InlineData(-386439469786512789477015501583588136058880.0, 3, "-3.864E+41")]
    [InlineData(1e6, 4, "1E+06")]
    [InlineData(-999999.4, 3, "-999999.400")]
    [InlineData(999999.99996, 4, "1E+06")] // a million once rounded to its decimals, not 1000000.0000
    [InlineData(-999999.9996, 3, "-1E+06")]
    [InlineData(-0.51234, 3, "-0.512")]
    [InlineData(0.97, 4, "0.9700")]
    [InlineData(double.NaN, 3, "NaN")]
    public void FixedKeepsItsDecimalsBelowAMillionOnly(double value, int decimals, string text) =>
        Assert.Equal(text, Fixed.Of(value, decimals));
}
