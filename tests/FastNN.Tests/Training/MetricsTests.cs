using FastNN.Training;

namespace FastNN.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void AccuracyTakesTheArgmaxOfEachRow()
    {
        // Rows: argmax 2 (label 2, right), argmax 0 (label 1, wrong), tie 0/1 → first (label 0, right), argmax 1 (label 1, right).
        float[] scores = [0.1f, 0.2f, 0.7f, 5, -1, 2, 3, 3, 1, -2, -1, -3];
        float[] labels = [2, 1, 0, 1];
        Assert.Equal(0.75, Metrics.Accuracy<float>(scores, labels, 4, 3));
    }

    [Fact]
    public void BinaryAccuracyThresholdsLogitsAtZero()
    {
        double[] logits = [2.0, -0.5, 0.0, 0.1, -3];
        double[] labels = [1, 0, 1, 0, 0];
        // Right: 2>0 ↔ 1, −0.5 ↔ 0, −3 ↔ 0. Wrong: 0 (not > 0) vs 1, 0.1 vs 0.
        Assert.Equal(3.0 / 5, Metrics.BinaryAccuracy<double>(logits, labels));
        Assert.Throws<ArgumentException>(() => Metrics.BinaryAccuracy<double>([1.0], [2.0]));
    }

    [Fact]
    public void ADivergedModelsNaNScoresHaveNoAccuracy()
    {
        // A model whose weights went NaN scores every class NaN. Counting its rows as class 0 (or negative) credited it
        // with the share of that class (here ½), so a grid search could pick it; its accuracy is NaN, as its RMSE and R².
        double[] labels = [0, 1];
        Assert.True(double.IsNaN(Metrics.Accuracy<double>([double.NaN, double.NaN, double.NaN, double.NaN], labels, 2, 2)));
        Assert.True(double.IsNaN(Metrics.Accuracy<float>([1f, 0f, float.NaN, 2f], [0f, 1f], 2, 2)));
        Assert.True(double.IsNaN(Metrics.BinaryAccuracy<double>([-1.0, double.NaN], labels)));
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>([double.NaN, 0], [2.0], 1, 2));
    }

    [Fact]
    public void RegressionMetricsMatchHandComputedValues()
    {
        double[] p = [2.5, 0.0, 2, 8];
        double[] y = [3, -0.5, 2, 7];
        // Errors −0.5, 0.5, 0, 1 → SSE 1.5, MSE 0.375. ȳ = 2.875, SST = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875.
        Assert.Equal(0.375, Metrics.MeanSquaredError<double>(p, y), 1e-15);
        Assert.Equal(Math.Sqrt(0.375), Metrics.RootMeanSquaredError<double>(p, y), 1e-15);
        Assert.Equal(1 - 1.5 / 29.1875, Metrics.RSquared<double>(p, y), 1e-15);
    }

    [Theory]
    [InlineData(1e-300)] // squares underflow to 0: R² came out 1 (0/0 taken for a perfect fit), RMSE 0
    [InlineData(1e200)]  // squares overflow to ∞: R² came out NaN, RMSE ∞
    [InlineData(1e300)]  // so does MSE itself (its true value is past double), and RMSE must not follow it
    public void RegressionMetricsOfTinyOrHugeValuesAreThoseOfTheirUnitScaleCopy(double unit)
    {
        // The hand-computed case above, every value times `unit`: R² does not change; RMSE is scaled by `unit`, MSE by its
        // square (0 or ∞ where that is beyond double).
        double[] p = [2.5, 0.0, 2, 8], y = [3, -0.5, 2, 7];
        (double mse, double rSquared) = (Metrics.MeanSquaredError<double>(p, y), Metrics.RSquared<double>(p, y));
        double[] scaledP = p.Select(v => v * unit).ToArray(), scaledY = y.Select(v => v * unit).ToArray();
        Assert.Equal(rSquared, Metrics.RSquared<double>(scaledP, scaledY), 1e-15);
        Assert.Equal(Math.Sqrt(mse) * unit, Metrics.RootMeanSquaredError<double>(scaledP, scaledY), Math.Sqrt(mse) * unit * 1e-15);
        Assert.Equal(mse * unit * unit, Metrics.MeanSquaredError<double>(scaledP, scaledY), mse * unit * unit * 1e-15);
    }

    [Fact]
    public void AnErrorBesideAMuchLargerValuePredictedExactlyCounts()
    {
        // The squared errors are 0 and 1: MSE 1/2. Scaled by the largest value (2^996) instead of the largest error, the
        // error 1 became 2^-996 and its square 0, so MSE and RMSE came out 0, a perfect fit.
        double[] p = [1e300, 1], y = [1e300, 0];
        Assert.Equal(0.5, Metrics.MeanSquaredError<double>(p, y));
        Assert.Equal(Math.Sqrt(0.5), Metrics.RootMeanSquaredError<double>(p, y));
    }

    [Fact]
    public void AnErrorPastDoublesRangeStillGivesAFiniteRootMeanSquare()
    {
        // The error 2e308 is past double, its mean square too, but RMSE = √((2e308)²/2) = √2·1e308 is a double.
        double[] p = [1e308, 0], y = [-1e308, 0];
        Assert.Equal(Math.Sqrt(2) * 1e308, Metrics.RootMeanSquaredError<double>(p, y), Math.Sqrt(2) * 1e308 * 1e-15);
        Assert.Equal(double.PositiveInfinity, Metrics.MeanSquaredError<double>(p, y));
    }

    [Fact]
    public void RSquaredOfConstantTargetsFollowsScikitLearn()
    {
        Assert.Equal(1.0, Metrics.RSquared<double>([4, 4], [4, 4]));
        Assert.Equal(0.0, Metrics.RSquared<double>([4, 5], [4, 4]));
    }

    /// <summary>
    /// Constant targets whose mean does not round back to them (0.1 three times sums to 0.30000000000000004) left a
    /// spread of 1e-33 where there is none, so an imperfect fit scored R² −1.3e33 instead of the documented 0, and a
    /// fold of such targets sank its setting's mean in a grid search.
    /// </summary>
    [Theory]
    [InlineData(0.1, 3)]
    [InlineData(0.7, 3)]
    [InlineData(1.1, 6)]
    [InlineData(3.3, 7)]
    [InlineData(-2.9e-200, 11)]
    public void RSquaredOfConstantTargetsIsOneOrZeroWhateverTheRoundingOfTheirMean(double value, int rows)
    {
        double[] y = [.. Enumerable.Repeat(value, rows)], p = [.. y.Select(v => v * 1.5)];
        Assert.Equal(1.0, Metrics.RSquared<double>(y, y));
        Assert.Equal(0.0, Metrics.RSquared<double>(p, y));
    }

    /// <summary>
    /// A diverged model's NaN prediction has no R² (as its accuracy, RMSE and loss): on constant targets it scored 0,
    /// the score of any imperfect fit, where other targets give NaN. An infinite prediction is an imperfect fit (0).
    /// </summary>
    [Fact]
    public void RSquaredOfANaNPredictionIsNaNOnConstantTargetsToo()
    {
        Assert.True(double.IsNaN(Metrics.RSquared<double>([double.NaN, 2], [2, 3])));
        Assert.True(double.IsNaN(Metrics.RSquared<double>([double.NaN, 2], [2, 2])));
        Assert.True(double.IsNaN(Metrics.RSquared<float>([1f, float.NaN, 1f], [1f, 1f, 1f])));
        Assert.Equal(0.0, Metrics.RSquared<double>([double.PositiveInfinity, 2], [2, 2]));
    }

    [Fact]
    public void RSquaredOfOneRowIsUndefinedAsInScikitLearn()
    {
        // One row has no spread to explain: r2_score returns NaN (UndefinedMetricWarning). Returning 1 or 0 made every
        // leave-one-out fold score 0 (or 1 on an exact hit), so a grid search compared settings on a meaningless mean.
        Assert.True(double.IsNaN(Metrics.RSquared<double>([4], [4])));
        Assert.True(double.IsNaN(Metrics.RSquared<float>([3f], [4f])));
        Assert.Equal(1 - 1.0 / 2, Metrics.RSquared<double>([1, 2], [1, 3]), 1e-15);
    }

    [Fact]
    public void RejectsMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => Metrics.MeanSquaredError<double>([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Metrics.RSquared<double>([], []));
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>([1, 2, 3], [0, 1], 2, 2));
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>([1, 2, 3, 4], [0, 1.5], 2, 2));
    }

    /// <summary>
    /// Spans longer than rows × classes were taken: scores of three classes read as two (a wrong class count) gave
    /// accuracy 1 for rows whose argmax is wrong, and extra labels were ignored. Both are refused, naming the span.
    /// </summary>
    [Fact]
    public void AccuracyRefusesSpansLongerThanTheSizes()
    {
        double[] scores = [0, 1, 2, 2, 1, 0];   // three classes: argmax 2, then 0
        Assert.Equal(0.0, Metrics.Accuracy<double>(scores, [1, 1], 2, 3));
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>(scores, [1, 0], 2, 2));
        Assert.Equal("scores", e.ParamName);
        Assert.Contains("6 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>(scores, [1, 1, 0], 2, 3));
        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void AccuracyRejectsALabelBeyondTheClasses()
    {
        // Before: label 3 of 3 classes was counted as a wrong row (accuracy 0.5 here), though the docs promise an exception.
        float[] scores = [0.1f, 0.2f, 0.7f, 5, -1, 2];
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy<float>(scores, [2, 3], 2, 3));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("3", e.Message);
        Assert.Equal(1.0, Metrics.Accuracy<float>(scores, [2, 0], 2, 3));
    }
}
