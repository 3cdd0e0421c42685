using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// <see cref="TrainerOptions.DropLast"/> (PyTorch DataLoader's <c>drop_last</c>) and the check that a BatchNorm1d model
/// never meets a one-row batch in the middle of a Fit.
/// </summary>
public class DropLastTests
{
    // y = x0 − 2·x1 from a fixed generator: 2 features.
    private static Dataset<double> Rows(int rows)
    {
        var random = new Random(7);
        var x = new double[rows * 2];
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            (x[2 * r], x[2 * r + 1]) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            y[r] = x[2 * r] - 2 * x[2 * r + 1];
        }
        return new Dataset<double>(x, y, 2);
    }

    // The BatchNorm1d on top, inside a Residual, or inside a Concat inside a Residual: Fit must find it at any depth.
    private static Sequential<double> Model(string where) => new(where switch
    {
        "top" => [new Dense<double>(2, 4), new BatchNorm1d<double>(4), new Dense<double>(4, 1)],
        "residual" => [new Dense<double>(2, 4), new Residual<double>(new BatchNorm1d<double>(4)), new Dense<double>(4, 1)],
        _ => [new Dense<double>(2, 4), new Residual<double>(new Concat<double>(new BatchNorm1d<double>(4)), new Dense<double>(8, 4)), new Dense<double>(4, 1)],
    }, maxBatch: 64, seed: 11);

    private static Trainer<double> Trainer(Sequential<double> model, TrainerOptions options) =>
        new(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.05), TaskKind.Regression, options);

    [Theory]
    [InlineData("top")]
    [InlineData("residual")]
    [InlineData("concat-in-residual")]
    public void BatchNormWithALastBatchOfOneRowThrowsBeforeTheFirstStep(string where)
    {
        // 33 rows in batches of 16: 16, 16, 1. Without the check, the third step throws after two have moved the weights.
        Sequential<double> model = Model(where);
        Trainer<double> trainer = Trainer(model, new TrainerOptions { Epochs = 2, BatchSize = 16 });
        double[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(33)));
        Assert.Equal("train", e.ParamName);
        Assert.Contains("BatchNorm1d", e.Message);
        Assert.Contains("33 training rows in batches of 16 leave a last batch of 1 row", e.Message);
        Assert.Contains("DropLast = true", e.Message);
        Assert.Contains("another BatchSize", e.Message);
        Assert.Equal(0, trainer.Steps);
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
    }

    [Theory]
    [InlineData(1, 1, "BatchSize is 1")]     // every batch has one row: DropLast cannot help
    [InlineData(1, 8, "train has 1 row")]
    public void BatchNormWithOnlyOneRowBatchesThrowsNamingTheWayOut(int rows, int batchSize, string expected)
    {
        Trainer<double> trainer = Trainer(Model("top"), new TrainerOptions { BatchSize = batchSize });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(rows)));
        Assert.Contains(expected, e.Message);
        Assert.Equal(0, trainer.Steps);
    }

    [Fact]
    public void WithoutBatchNormALastBatchOfOneRowStillTrains()
    {
        var model = new Sequential<double>([new Dense<double>(2, 4), new Dense<double>(4, 1)], maxBatch: 64, seed: 11);
        Trainer<double> trainer = Trainer(model, new TrainerOptions { Epochs = 2, BatchSize = 16 });
        trainer.Fit(Rows(33));
        Assert.Equal(2 * 3, trainer.Steps);
    }

    [Theory]
    [InlineData("top")]
    [InlineData("concat-in-residual")]
    public void DropLastStepsOverTheFullBatchesOfEachShuffledOrder(string where)
    {
        // 33 rows in batches of 16 with DropLast: ⌊33/16⌋ = 2 steps an epoch, over the first 32 rows of the epoch's
        // order (Shuffler from the seed's stream, as Fit draws it); the 33rd is left out of that epoch.
        const int Epochs = 6, Batch = 16;
        Dataset<double> data = Rows(33);
        var options = new TrainerOptions { Epochs = Epochs, BatchSize = Batch, DropLast = true, Seed = 4 };
        Trainer<double> fitted = Trainer(Model(where), options);
        TrainingHistory history = fitted.Fit(data);

        Trainer<double> manual = Trainer(Model(where), options);
        var shuffler = new Shuffler(data.Rows, new FastRandom(4));
        var x = new double[2 * Batch];
        var y = new double[Batch];
        var seen = new HashSet<int>();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            shuffler.Shuffle();
            double lossSum = 0;
            for (int first = 0; first + Batch <= data.Rows; first += Batch)
            {
                ReadOnlySpan<int> rows = shuffler.Order.Slice(first, Batch);
                foreach (int row in rows)
                    seen.Add(row);
                data.Gather(rows, x, y);
                lossSum += manual.TrainStep(x, y, Batch);
            }
            Assert.Equal(lossSum / 2, history.Epochs[epoch].TrainLoss, 1e-12);
            Assert.Equal(2L * (epoch + 1), history.Epochs[epoch].Steps);
        }
        Assert.Equal(manual.Model.Parameters.ToArray(), fitted.Model.Parameters.ToArray());
        Assert.Equal(manual.Model.State.ToArray(), fitted.Model.State.ToArray());
        Assert.Equal(Epochs * 2, fitted.Steps);
        // Each epoch leaves out another row: over the run every row was trained on.
        Assert.Equal(data.Rows, seen.Count);
    }

    [Fact]
    public void DropLastChangesNothingWhenTheBatchesAreFull()
    {
        Dataset<double> data = Rows(32);
        Trainer<double> plain = Trainer(Model("top"), new TrainerOptions { Epochs = 3, BatchSize = 8 });
        Trainer<double> dropping = Trainer(Model("top"), new TrainerOptions { Epochs = 3, BatchSize = 8, DropLast = true });
        plain.Fit(data);
        dropping.Fit(data);
        Assert.Equal(plain.Model.Parameters.ToArray(), dropping.Model.Parameters.ToArray());
        Assert.Equal(12, dropping.Steps);
    }

    [Fact]
    public void DropLastWithFewerRowsThanOneBatchThrows()
    {
        Trainer<double> trainer = Trainer(Model("top"), new TrainerOptions { BatchSize = 16, DropLast = true });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(15)));
        Assert.Contains("15 rows, fewer than one batch of 16", e.Message);
        Assert.Equal(0, trainer.CompletedEpochs);
    }
}
