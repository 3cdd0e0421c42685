using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// The mode Fit leaves the model in: evaluation, with or without validation. Without validation (which switches to
/// evaluation mode) it was left in training mode, so a Forward on the trained model dropped units at random and
/// BatchNorm updated its running statistics from the rows it was asked to predict. A Fit that throws once training has
/// begun (a non-finite loss, a callback's exception) left it in training mode too.
/// </summary>
public class FitModeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FitLeavesTheModelInEvaluationModeWithOrWithoutValidation(bool validated)
    {
        var model = new Sequential<double>([new Dense<double>(2, 6), new BatchNorm1d<double>(6), new Dropout<double>(6, 0.5), new Dense<double>(6, 1)], maxBatch: 8, seed: 5);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.05),
            TaskKind.Regression, new TrainerOptions { Epochs = 2, BatchSize = 4 });
        double[] x = [.. Enumerable.Range(0, 24).Select(i => Math.Sin(i))];
        double[] y = [.. Enumerable.Range(0, 12).Select(i => Math.Cos(i))];
        var data = new Dataset<double>(x, y, 2);

        trainer.Fit(data, validated ? data : null);

        Assert.False(model.Training);
        double[] state = model.State.ToArray();
        double[] first = model.Forward(x.AsSpan(0, 8), 4).ToArray();
        double[] second = model.Forward(x.AsSpan(0, 8), 4).ToArray();
        Assert.Equal(first, second);                  // no dropout mask drawn
        Assert.Equal(state, model.State.ToArray());   // running statistics read, not updated
    }

    private static (Sequential<double> Model, Trainer<double> Trainer, Dataset<double> Data) Run(double learningRate)
    {
        var model = new Sequential<double>([new Dense<double>(2, 6), new BatchNorm1d<double>(6), new Dropout<double>(6, 0.5), new Dense<double>(6, 1)], maxBatch: 8, seed: 5);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: learningRate),
            TaskKind.Regression, new TrainerOptions { Epochs = 3, BatchSize = 4 });
        double[] x = [.. Enumerable.Range(0, 24).Select(i => Math.Sin(i))];
        double[] y = [.. Enumerable.Range(0, 12).Select(i => 100 * Math.Cos(i))];
        return (model, trainer, new Dataset<double>(x, y, 2));
    }

    [Fact]
    public void AFitWhoseLossBecomesNonFiniteLeavesTheModelInEvaluationMode()
    {
        (Sequential<double> model, Trainer<double> trainer, Dataset<double> data) = Run(learningRate: 1e150);

        var thrown = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));

        Assert.StartsWith("The training objective is", thrown.Message);
        Assert.False(model.Training);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFitWhoseEpochCallbackThrowsLeavesTheModelInEvaluationMode(bool validated)
    {
        (Sequential<double> model, Trainer<double> trainer, Dataset<double> data) = Run(learningRate: 0.01);
        trainer.EpochCompleted = epoch =>
        {
            if (epoch.Epoch == 2)
                throw new TimeoutException("the caller's own failure");
        };

        Assert.Throws<TimeoutException>(() => trainer.Fit(data, validated ? data : null));

        Assert.Equal(2, trainer.CompletedEpochs);
        Assert.False(model.Training);
    }
}
