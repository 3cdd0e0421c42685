using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// What the public result records print: the items of their lists (the compiler's record text wrote the list's type
/// name, System.Collections.Generic.List`1[...]), and never an exception (TrainingHistory's printed Best threw when a
/// Fit ran no epoch).
/// </summary>
public class ResultTextTests
{
    private static Dataset<double> Linear(int rows)
    {
        var x = new double[rows * 2];
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            (x[2 * r], x[2 * r + 1]) = (Math.Sin(r), Math.Cos(3 * r));
            y[r] = 2 * x[2 * r] - x[2 * r + 1] + 0.5;
        }
        return new Dataset<double>(x, y, 2);
    }

    private static Trainer<double> LinearTrainer(int epochs)
    {
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 16, seed: 3);
        return new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1),
            TaskKind.Regression, new TrainerOptions { Epochs = epochs, BatchSize = 8 });
    }

    [Fact]
    public void AHistoryPrintsEveryEpochsResult()
    {
        TrainingHistory history = LinearTrainer(2).Fit(Linear(20), Linear(6));

        string text = history.ToString();

        Assert.DoesNotContain("System.Collections", text);
        Assert.StartsWith($"TrainingHistory {{ Epochs = [{history.Epochs[0]}, {history.Epochs[1]}], BestEpoch = {history.BestEpoch}, StoppedEarly = False }}", text);
        Assert.Contains("EpochResult { Epoch = 2, TrainLoss = ", text);
    }

    [Fact]
    public void AHistoryOfAFitCancelledBeforeItsFirstEpochPrints()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        TrainingHistory history = LinearTrainer(2).Fit(Linear(20), cancellationToken: cancel.Token);

        Assert.Equal("TrainingHistory { Epochs = [], BestEpoch = 0, StoppedEarly = False }", history.ToString());
        Assert.Contains("cancelled", Assert.Throws<InvalidOperationException>(() => history.Best).Message);
    }

    [Fact]
    public void AHistoryWhoseBestEpochAnEarlierFitRanPrintsThatEpoch()
    {
        Trainer<double> trainer = LinearTrainer(2);
        Dataset<double> train = Linear(20), validation = Linear(6);
        TrainingHistory run = trainer.Fit(train, validation);

        TrainingHistory after = trainer.Fit(train, validation); // the run has ended: no epoch, the same best

        Assert.Empty(after.Epochs);
        Assert.Equal($"TrainingHistory {{ Epochs = [], BestEpoch = {run.BestEpoch}, StoppedEarly = False, Best = {run.Best} }}", after.ToString());
    }

    [Fact]
    public void ACrossValidationAndAGridSearchPrintTheirFoldsAndSettings()
    {
        var fold = new FoldResult(0, 8, 2, new Evaluation(0.5, 0.75, double.NaN, double.NaN));
        var cv = new CrossValidationResult([fold]);
        var grid = new GridSearchResult([(new GridPoint(0.1, 0.01), cv)]);

        Assert.Equal($"CrossValidationResult {{ Folds = [{fold}], MeanMetric = {0.75}, StdMetric = {0.0}, MeanLoss = {0.5}, StdLoss = {0.0} }}", cv.ToString());
        Assert.Equal($"GridSearchResult {{ Settings = [(GridPoint {{ LearningRate = {0.1}, Lambda = {0.01} }}, {cv})], Best = (GridPoint {{ LearningRate = {0.1}, Lambda = {0.01} }}, {cv}) }}", grid.ToString());
        Assert.Equal("CrossValidationResult { Folds = [] }", new CrossValidationResult([]).ToString());
        Assert.Equal("GridSearchResult { Settings = [] }", new GridSearchResult([]).ToString());
    }

    [Fact]
    public void ARecordBuiltOverANullListPrintsNull()
    {
        Assert.Equal("TrainingHistory { Epochs = null, BestEpoch = 0, StoppedEarly = False }", new TrainingHistory(null!, 0, false).ToString());
        Assert.Equal("TrainingHistory { Epochs = null, BestEpoch = 3, StoppedEarly = True }", new TrainingHistory(null!, 3, true).ToString());
        Assert.Equal("CrossValidationResult { Folds = null }", new CrossValidationResult(null!).ToString());
        Assert.Equal("GridSearchResult { Settings = null }", new GridSearchResult(null!).ToString());
    }
}
