using FastNN.Data;
using FastNN.Gradients;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Training;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// Every unfinished epoch a run can leave is a checkpoint the loader accepts (its rows_stepped ≤ rows ≤ train_rows and
/// batch-size checks refuse only files no run writes): a run of 10 rows in batches of 3, with and without DropLast,
/// whose loss gives a NaN gradient on every batch holding row 2, which the guard skips (rows done but not stepped),
/// cancelled after each of its steps, saved, loaded into a new trainer and finished, ends with the uninterrupted run's parameters.
/// </summary>
public class UnfinishedEpochCheckpointTests
{
    private const int Epochs = 2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACheckpointCancelledAtAnyStepLoadsAndFinishesAsTheWholeRun(bool dropLast)
    {
        Dataset<double> data = Rows();
        Trainer<double> whole = New(dropLast);
        whole.Fit(data);
        double[] expected = whole.Model.Parameters.ToArray();
        int steps = Epochs * (dropLast ? 3 : 4);
        Assert.True(whole.Guard!.SkippedSteps > 0, "no batch was skipped");

        using var folder = new TempFolder();
        var kinds = new HashSet<bool>();   // whether a saved unfinished epoch had stepped all its rows
        for (int cancelAt = 1; cancelAt < steps; cancelAt++)
        {
            string path = folder.File($"run{cancelAt}.ckpt.safetensors");
            Trainer<double> first = New(dropLast);
            using var stop = new CancellationTokenSource();
            int at = cancelAt;
            first.Regularizer = new StepHook<double>(null, step =>
            {
                if (step == at)
                    stop.Cancel();
            });
            first.Fit(data, cancellationToken: stop.Token);
            Checkpoint.Save(path, first);
            if (first.Unfinished is { } unfinished)
                kinds.Add(unfinished.RowsStepped == unfinished.Rows);

            Trainer<double> resumed = New(dropLast);
            Checkpoint.Load(path, resumed);
            resumed.Fit(data);
            Assert.True(expected.SequenceEqual(resumed.Model.Parameters.ToArray()), $"DropLast {dropLast}, cancelled after step {cancelAt}");
        }
        // Both kinds were saved: epochs with every row done stepped, and epochs with a skipped batch.
        Assert.Equal([false, true], kinds.Order());
    }

    // Batch losses each finite but near double.MaxValue (targets of 7e153 against predictions near 0: each batch 1.5e308) overflow the
    // epoch's loss sum to +∞: a checkpoint of the epoch paused after two of them saves it (as "Infinity") and loads it.
    [Fact]
    public void AnEpochWhoseLossSumOverflowedIsSavedAndLoaded()
    {
        var x = new double[20];
        var y = new double[10];
        Array.Fill(y, 7e153);
        var data = new Dataset<double>(x, y, 2);
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 3, seed: 5);
        var first = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 1e-300), TaskKind.Regression,
            new TrainerOptions { Epochs = 1, BatchSize = 3, Seed = 12 });
        using var stop = new CancellationTokenSource();
        first.Regularizer = new StepHook<double>(null, step =>
        {
            if (step == 2)
                stop.Cancel();
        });
        first.Fit(data, cancellationToken: stop.Token);
        Assert.True(double.IsPositiveInfinity(first.Unfinished!.LossSum));

        using var folder = new TempFolder();
        string path = folder.File("overflow.ckpt.safetensors");
        Checkpoint.Save(path, first);
        var resumedModel = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 3, seed: 5);
        var resumed = new Trainer<double>(resumedModel, new MseLoss<double>(), new Sgd<double>(resumedModel.Parameters.Length, learningRate: 1e-300),
            TaskKind.Regression, new TrainerOptions { Epochs = 1, BatchSize = 3, Seed = 12 });
        Checkpoint.Load(path, resumed);
        Assert.True(double.IsPositiveInfinity(resumed.Unfinished!.LossSum));
        Assert.True(double.IsPositiveInfinity(resumed.Fit(data).Epochs[^1].TrainLoss));
    }

    private static Trainer<double> New(bool dropLast)
    {
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 3, seed: 5);
        return new Trainer<double>(model, new NaNOnRow2(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1), TaskKind.Regression,
            new TrainerOptions { Epochs = Epochs, BatchSize = 3, DropLast = dropLast, Seed = 12 })
        {
            Guard = new NonFiniteGradientGuard<double>(model.ParameterTensors, NonFiniteGradientPolicy.SkipStep),
        };
    }

    // MSE, with a NaN gradient for a batch that holds row 2 (known by its target).
    private sealed class NaNOnRow2 : ILoss<double>
    {
        private static readonly double Row2Target = Rows().Targets[2];

        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, Span<double> gradient, int batch)
        {
            double loss = new MseLoss<double>().Compute(prediction, target, gradient, batch);
            if (target.Contains(Row2Target))
                gradient[0] = double.NaN;
            return loss;
        }
    }

    // y = x0 − 2·x1.
    private static Dataset<double> Rows()
    {
        var random = new Random(3);
        var x = new double[20];
        var y = new double[10];
        for (int r = 0; r < 10; r++)
        {
            (x[2 * r], x[2 * r + 1]) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            y[r] = x[2 * r] - 2 * x[2 * r + 1];
        }
        return new Dataset<double>(x, y, 2);
    }
}
