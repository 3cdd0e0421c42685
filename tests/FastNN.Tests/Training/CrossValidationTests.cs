using FastNN.Data;
using FastNN.Tests.Data;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>The cross-validation machinery, with the closed-form ridge solution as the model (the trainer-based runs are in <see cref="PracticeTests"/>).</summary>
public class CrossValidationTests
{
    private static readonly Dataset<double> Diabetes = Csv.Read<double>(DataFiles.Path("diabetes.csv"));

    private static Evaluation FitRidge(double lambda, Dataset<double> train, Dataset<double> validation)
    {
        double[] theta = RidgeReference.Solve(train, lambda);
        double[] predictions = Enumerable.Range(0, validation.Rows).Select(r => RidgeReference.Predict(theta, validation.Row(r))).ToArray();
        double mse = Metrics.MeanSquaredError<double>(predictions, validation.Targets);
        return new Evaluation(mse, double.NaN, Math.Sqrt(mse), Metrics.RSquared<double>(predictions, validation.Targets));
    }

    [Fact]
    public void ReportsEveryFoldAndTheirMeanAndStd()
    {
        CrossValidationResult result = CrossValidation.Run(Diabetes, k: 5, seed: 3, stratified: false, standardize: true,
            (train, validation) => FitRidge(0.1, train, validation));

        Assert.Equal([0, 1, 2, 3, 4], result.Folds.Select(f => f.Fold));
        Assert.Equal(442, result.Folds.Sum(f => f.ValidationRows));
        Assert.All(result.Folds, f => Assert.Equal(442, f.TrainRows + f.ValidationRows));
        double[] r2 = result.Folds.Select(f => f.Validation.RSquared).ToArray();
        double mean = (r2[0] + r2[1] + r2[2] + r2[3] + r2[4]) / 5;
        double variance = r2.Select(v => (v - mean) * (v - mean)).Sum() / 5;
        Assert.Equal(mean, result.MeanMetric, 1e-12);
        Assert.Equal(Math.Sqrt(variance), result.StdMetric, 1e-12);
        // Ridge on diabetes explains about half the variance of held-out rows.
        Assert.InRange(result.MeanMetric, 0.35, 0.6);
    }

    [Fact]
    public void EachFoldIsStandardizedWithItsOwnTrainingRows()
    {
        CrossValidation.Run(Diabetes, k: 4, seed: 1, stratified: false, standardize: true, (train, validation) =>
        {
            for (int c = 0; c < train.FeatureCount; c++)
            {
                double trainMean = 0, validationMean = 0;
                for (int r = 0; r < train.Rows; r++)
                    trainMean += train.Features[r * train.FeatureCount + c] / train.Rows;
                for (int r = 0; r < validation.Rows; r++)
                    validationMean += validation.Features[r * validation.FeatureCount + c] / validation.Rows;
                Assert.Equal(0, trainMean, 1e-12);
                Assert.NotEqual(0, validationMean, 1e-6);
            }
            return new Evaluation(0, double.NaN, 0, 0);
        });
    }

    [Fact]
    public void GridSearchPicksTheSettingWithTheBestMeanScore()
    {
        double[] lambdas = [1e-4, 1e-2, 1, 100];
        GridSearchResult search = GridSearch.Run(Diabetes, [0.1], lambdas, k: 5, seed: 2, stratified: false, standardize: true,
            (setting, train, validation) => FitRidge(setting.Lambda, train, validation));

        Assert.Equal(4, search.Settings.Count);
        Assert.Equal(lambdas, search.Settings.Select(s => s.Setting.Lambda));
        var bestByHand = search.Settings.MaxBy(s => s.Result.Folds.Average(f => f.Validation.RSquared));
        Assert.Equal(bestByHand.Setting, search.Best.Setting);
        // λ = 100 shrinks every coefficient to almost nothing (R² near 0); CV must not pick it.
        Assert.NotEqual(100, search.Best.Setting.Lambda);
        Assert.True(search.Settings[^1].Result.MeanMetric < 0.1);
    }

    [Fact]
    public void ADivergedSettingReportedAsNaNIsNeverBest()
    {
        GridSearchResult search = GridSearch.Run(Diabetes, [10.0, 0.1], [0.0], k: 3, seed: 0, stratified: false, standardize: false,
            (setting, train, validation) => setting.LearningRate > 1
                ? new Evaluation(double.NaN, double.NaN, double.NaN, double.NaN)
                : new Evaluation(1, double.NaN, 1, 0.25));
        Assert.True(double.IsNaN(search.Settings[0].Result.MeanMetric));
        Assert.Equal(0.1, search.Best.Setting.LearningRate);
    }

    [Fact]
    public void GridSearchScoresEverySettingOnTheSameFoldsAndTiesGoToTheFirstSearched()
    {
        // Learning rates 1, 2, 3 (λ 0 and 5 each): 2 and 3 tie for the best mean; the first of them in search order wins.
        var foldsSeen = new Dictionary<GridPoint, List<string>>();
        GridSearchResult search = GridSearch.Run(Diabetes, [1.0, 2.0, 3.0], [0.0, 5.0], k: 3, seed: 6, stratified: false, standardize: false,
            (setting, train, validation) =>
            {
                List<string> folds = foldsSeen.TryGetValue(setting, out var f) ? f : foldsSeen[setting] = [];
                folds.Add(string.Join(",", validation.Targets.ToArray()));
                return new Evaluation(1, double.NaN, 1, setting.LearningRate == 1 ? 0.4 : 0.7);
            });
        Assert.Equal(new GridPoint(2.0, 0.0), search.Best.Setting);
        List<string> first = foldsSeen[new GridPoint(1.0, 0.0)];
        Assert.Equal(3, first.Distinct().Count());
        Assert.All(foldsSeen.Values, folds => Assert.Equal(first, folds));
    }

    [Fact]
    public void AFoldWithoutAnEvaluationIsRefusedNamingTheFold()
    {
        // A caller without nullable checks returns null for one fold: refused there, not left to a NullReferenceException
        // in MeanMetric (or the result's text) later.
        var evaluation = new Evaluation(1, double.NaN, 1, 0.5);
        int fold = 0;
        var error = Assert.Throws<InvalidOperationException>(() => CrossValidation.Run(Diabetes, k: 3, seed: 0, stratified: false, standardize: false,
            (train, validation) => fold++ == 1 ? null! : evaluation));
        Assert.Equal("fitAndEvaluate returned null for fold 1 (counting from 0); it must return the fold's Evaluation.", error.Message);
        Assert.Throws<InvalidOperationException>(() => GridSearch.Run(Diabetes, [0.1], [0.0], k: 3, seed: 0, stratified: false, standardize: false,
            (setting, train, validation) => null!));
    }

    [Fact]
    public void StratifiedCrossValidationKeepsClassRatiosInEveryFold()
    {
        Dataset<double> cancer = Csv.Read<double>(DataFiles.Path("breast_cancer.csv"));
        double overall = cancer.Targets.ToArray().Average();
        CrossValidation.Run(cancer, k: 5, seed: 4, stratified: true, standardize: false, (train, validation) =>
        {
            Assert.InRange(validation.Targets.ToArray().Average(), overall - 0.01, overall + 0.01);
            return new Evaluation(0, 1, double.NaN, double.NaN);
        });
    }
}
