using FastNN.Data;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// A target the task cannot take (a class label beyond the outputs, a binary label other than 0 or 1) is refused by
/// Fit before its first step and by Evaluate before any metric, naming the dataset and the row in it, not the row's
/// place in whichever batch reached the loss.
/// </summary>
public class TrainerTargetTests
{
    // 100 rows of 2 features; targets alternate 0, 1, with `bad` at row `badRow`.
    private static Dataset<float> Rows(int rows, int badRow, float bad)
    {
        float[] x = new float[rows * 2];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            x[2 * r] = MathF.Sin(r);
            x[2 * r + 1] = MathF.Cos(r);
            y[r] = r % 2;
        }
        y[badRow] = bad;
        return new Dataset<float>(x, y, 2);
    }

    private static Trainer<float> Classifier(int outputs)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(outputs).Build(maxBatch: 10, seed: 1);
        ILoss<float> loss = outputs == 1 ? new BceWithLogitsLoss<float>() : new SoftmaxCrossEntropyLoss<float>();
        TaskKind task = outputs == 1 ? TaskKind.BinaryClassification : TaskKind.MultiClassClassification;
        return new Trainer<float>(model, loss, new Sgd<float>(model.Parameters.Length, learningRate: 0.1), task,
            new TrainerOptions { Epochs = 2, BatchSize = 10, Shuffle = false });
    }

    // Fit's stratified split of 3 classes of 2 rows holds out none: the message names the option the user set.
    [Fact]
    public void FitNamesValidationFractionWhenItsStratifiedSplitHoldsOutNoRow()
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(3).Build(maxBatch: 10, seed: 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(model.Parameters.Length, learningRate: 0.1),
            TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 1, BatchSize = 2, ValidationFraction = 0.2 });
        Dataset<float> data = new([.. Enumerable.Range(0, 12).Select(i => (float)i)], [0, 1, 2, 0, 1, 2], 2);

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(data));

        Assert.StartsWith("Splitting 6 rows of 3 classes with TrainerOptions.ValidationFraction 0.2, rounded per class, leaves 6 training and 0 validation rows", e.Message);
        Assert.Equal("train", e.ParamName);
        Assert.Equal(0, trainer.Steps);
    }

    [Theory]
    [InlineData(99, 2f)]   // the last batch's last row: nine steps would have run before it
    [InlineData(57, 0.5f)] // not an integer
    [InlineData(30, -1f)]
    public void FitRefusesABadClassLabelBeforeItsFirstStepNamingTheRow(int row, float label)
    {
        Trainer<float> trainer = Classifier(outputs: 2);
        float[] before = trainer.Model.Parameters.ToArray();

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(100, row, label)));

        Assert.Equal("train", e.ParamName);
        Assert.Contains($"row {row}", e.Message);
        Assert.Equal(0, trainer.Steps);
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
    }

    [Fact]
    public void FitRefusesABadValidationLabelBeforeItsFirstStep()
    {
        Trainer<float> multi = Classifier(outputs: 2);
        var e = Assert.Throws<ArgumentException>(() => multi.Fit(Rows(100, 0, 0), Rows(20, 13, 5)));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("row 13", e.Message);
        Assert.Equal(0, multi.Steps);

        // Binary: the loss takes any target, but accuracy needs 0 or 1; before, the first epoch trained and then threw.
        Trainer<float> binary = Classifier(outputs: 1);
        e = Assert.Throws<ArgumentException>(() => binary.Fit(Rows(100, 0, 0), Rows(20, 17, 2)));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("row 17", e.Message);
        Assert.Equal(0, binary.Steps);
        Assert.Equal(0, binary.CompletedEpochs);
    }

    [Theory]
    [InlineData(42, 2f)]    // a count or a regression target given to a binary classifier
    [InlineData(43, -0.5f)]
    public void FitRefusesABinaryTrainingTargetThatIsNoProbability(int row, float target)
    {
        Trainer<float> trainer = Classifier(outputs: 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(100, row, target)));
        Assert.Equal("train", e.ParamName);
        Assert.Contains($"row {row}", e.Message);
        Assert.Equal(0, trainer.Steps);
    }

    [Fact]
    public void FitWithAHeldOutFractionNamesTheRowAsGivenNotAsSplit()
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(2).Build(maxBatch: 10, seed: 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(model.Parameters.Length, learningRate: 0.1),
            TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 1, BatchSize = 10, ValidationFraction = 0.2 });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(100, 64, 3)));
        Assert.Equal("train", e.ParamName);
        Assert.Contains("row 64", e.Message);
        Assert.Equal(0, trainer.Steps);
    }

    [Theory]
    [InlineData(2, 15, 2f)] // a row beyond the first MaxBatch rows: Evaluate runs the loss 10 rows at a time
    [InlineData(1, 15, 2f)]
    [InlineData(1, 3, 0.5f)]
    public void EvaluateNamesTheDatasetRowOfABadLabel(int outputs, int row, float label)
    {
        Trainer<float> trainer = Classifier(outputs);
        var e = Assert.Throws<ArgumentException>(() => trainer.Evaluate(Rows(20, row, label)));
        Assert.Equal("data", e.ParamName);
        Assert.Contains($"row {row}", e.Message);
    }

    [Fact]
    public void GoodLabelsStillTrainAndABinaryTrainingTargetMayBeAProbability()
    {
        Trainer<float> multi = Classifier(outputs: 3);
        multi.Fit(Rows(100, 7, 2), Rows(20, 3, 2));
        Assert.Equal(2, multi.CompletedEpochs);

        // BCE with logits takes probabilities as targets (as PyTorch's); only the metric's rows need 0 or 1.
        Trainer<float> binary = Classifier(outputs: 1);
        binary.Fit(Rows(100, 7, 0.25f), Rows(20, 3, 1));
        Assert.Equal(2, binary.CompletedEpochs);
    }

    // Each built-in loss trains one task. Under another: softmax cross-entropy over a binary or regression model's one
    // output is 0 whatever the weights (labels 0 trained on nothing; a label 1 threw at the first batch holding it); MSE
    // or Huber under binary classification trained, but the accuracy thresholds the output at 0 as a logit (a 99 % model
    // was reported at 53 %); BCE under regression had RMSE and R² compare logits with the targets; MSE, BCE or Huber under
    // classes threw at the first step. Now refused at construction, naming the loss.
    [Theory]
    [InlineData(TaskKind.BinaryClassification, "sce", 1)]
    [InlineData(TaskKind.Regression, "sce", 1)]
    [InlineData(TaskKind.BinaryClassification, "mse", 1)]
    [InlineData(TaskKind.BinaryClassification, "huber", 1)]
    [InlineData(TaskKind.Regression, "bce", 1)]
    [InlineData(TaskKind.MultiClassClassification, "mse", 3)]
    [InlineData(TaskKind.MultiClassClassification, "bce", 3)]
    [InlineData(TaskKind.MultiClassClassification, "huber", 3)]
    public void ABuiltInLossOfAnotherTaskIsRefusedAtConstruction(TaskKind task, string lossName, int outputs)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(outputs).Build(maxBatch: 10, seed: 1);
        ILoss<float> loss = lossName switch
        {
            "sce" => new SoftmaxCrossEntropyLoss<float>(),
            "mse" => new MseLoss<float>(),
            "bce" => new BceWithLogitsLoss<float>(),
            _ => new HuberLoss<float>(),
        };
        var e = Assert.Throws<ArgumentException>(() => new Trainer<float>(model, loss, new AdamW<float>(model.Parameters.Length), task));
        Assert.Equal("loss", e.ParamName);
        Assert.Contains(loss.GetType().Name[..^2], e.Message);
        Assert.Contains($"not {task}", e.Message);
    }

    [Fact]
    public void LossesOfTheirTaskAndLossesOfYourOwnAreTaken()
    {
        Sequential<float> one = new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 10, seed: 1);
        Sequential<float> three = new SequentialBuilder<float>(2).Dense(3).Build(maxBatch: 10, seed: 1);
        foreach ((Sequential<float> model, ILoss<float> loss, TaskKind task) in new (Sequential<float>, ILoss<float>, TaskKind)[]
        {
            (one, new MseLoss<float>(), TaskKind.Regression), (one, new HuberLoss<float>(), TaskKind.Regression),
            (one, new BceWithLogitsLoss<float>(), TaskKind.BinaryClassification),
            (three, new SoftmaxCrossEntropyLoss<float>(), TaskKind.MultiClassClassification),
            (one, new ZeroLoss(), TaskKind.Regression), (one, new ZeroLoss(), TaskKind.BinaryClassification),
            (three, new ZeroLoss(), TaskKind.MultiClassClassification),
        })
            Assert.Same(loss, new Trainer<float>(model, loss, new Sgd<float>(model.Parameters.Length, learningRate: 0.1), task).Loss);
    }

    private sealed class ZeroLoss : ILoss<float>
    {
        public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient, int batch)
        {
            gradient.Clear();
            return 0;
        }
    }
}
