using FastNN.Data;
using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.Tests.Training;

public class TrainerTests
{
    // y = 2·x0 − x1 + 0.5 plus a little deterministic noise, 64 rows.
    private static Dataset<double> Linear(int rows = 64, int seed = 0)
    {
        var random = new Random(seed);
        var x = new double[rows * 2];
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            x[2 * r] = random.NextDouble() * 2 - 1;
            x[2 * r + 1] = random.NextDouble() * 2 - 1;
            y[r] = 2 * x[2 * r] - x[2 * r + 1] + 0.5 + 0.01 * (random.NextDouble() - 0.5);
        }
        return new Dataset<double>(x, y, 2);
    }

    private static Trainer<double> LinearTrainer(TrainerOptions options, ulong seed = 3)
    {
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 64, seed);
        return new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1), TaskKind.Regression, options);
    }

    [Fact]
    public void FitIsTheStepLoopOverTheSeededShuffleOrder()
    {
        Dataset<double> data = Linear();
        var options = new TrainerOptions { Epochs = 3, BatchSize = 10, Seed = 5 };
        Trainer<double> fitted = LinearTrainer(options);
        fitted.Fit(data);

        // The same steps by hand: the rows of each epoch in Shuffler(5)'s order, batches of 10, the last of 4.
        Trainer<double> manual = LinearTrainer(options);
        var shuffler = new Shuffler(data.Rows, new FastRandom(5));
        var x = new double[20];
        var y = new double[10];
        for (int epoch = 0; epoch < 3; epoch++)
        {
            shuffler.Shuffle();
            for (int first = 0; first < data.Rows; first += 10)
            {
                int batch = Math.Min(10, data.Rows - first);
                data.Gather(shuffler.Order.Slice(first, batch), x, y);
                manual.TrainStep(x.AsSpan(0, 2 * batch), y.AsSpan(0, batch), batch);
            }
        }
        Assert.Equal(manual.Model.Parameters.ToArray(), fitted.Model.Parameters.ToArray());
        Assert.Equal(3 * 7, fitted.Steps);
    }

    [Fact]
    public void AFitCancelledAfterAnEpochContinuesOnTheNextFitAsIfUninterrupted()
    {
        Dataset<double> data = Linear();
        var options = new TrainerOptions { Epochs = 5, BatchSize = 10, Seed = 4 };
        Trainer<double> whole = LinearTrainer(options);
        whole.Fit(data);

        Trainer<double> resumed = LinearTrainer(options);
        using var cancel = new CancellationTokenSource();
        resumed.EpochCompleted = e =>
        {
            if (e.Epoch == 2)
                cancel.Cancel();
        };
        TrainingHistory first = resumed.Fit(data, cancellationToken: cancel.Token);
        resumed.EpochCompleted = null;
        TrainingHistory rest = resumed.Fit(data);

        Assert.Equal([1, 2], first.Epochs.Select(e => e.Epoch));
        Assert.Equal([3, 4, 5], rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(whole.Steps, resumed.Steps);
        // The budget is spent: another Fit runs nothing.
        Assert.Empty(resumed.Fit(data).Epochs);
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
    }

    // Cancelled between two steps of an epoch, the run must still continue exactly: the cut epoch is not counted, and
    // the next Fit finishes it in the same row order from the next step (before, it counted as completed and the next
    // Fit skipped its remaining rows). Stopped after step 9 of 7 per epoch: two rows into the second epoch.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AFitCancelledWithinAnEpochContinuesOnTheNextFitAsIfUninterrupted(bool shuffle)
    {
        Dataset<double> data = Linear();
        var options = new TrainerOptions { Epochs = 4, BatchSize = 10, Seed = 4, Shuffle = shuffle };
        Trainer<double> whole = LinearTrainer(options);
        whole.Regularizer = new StepHook<double>(null, _ => { });
        TrainingHistory all = whole.Fit(data);

        Trainer<double> resumed = LinearTrainer(options);
        using var cancel = new CancellationTokenSource();
        resumed.Regularizer = new StepHook<double>(null, step =>
        {
            if (step == 9)
                cancel.Cancel();
        });
        TrainingHistory first = resumed.Fit(data, cancellationToken: cancel.Token);
        Assert.Equal(9, resumed.Steps);
        Assert.Equal(1, resumed.CompletedEpochs);
        Assert.Equal([1], first.Epochs.Select(e => e.Epoch));
        TrainingHistory rest = resumed.Fit(data);

        Assert.Equal([2, 3, 4], rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(all.Epochs.Select(e => (e.TrainLoss, e.Steps)), first.Epochs.Concat(rest.Epochs).Select(e => (e.TrainLoss, e.Steps)));
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(whole.Steps, resumed.Steps);
    }

    [Fact]
    public void AnEpochCutThreeTimesAndAtItsFirstStepEndsAsIfUninterrupted()
    {
        Dataset<double> data = Linear(rows: 38);
        var options = new TrainerOptions { Epochs = 3, BatchSize = 10, Seed = 4, ValidationFraction = 0.2, Patience = 0 };
        Trainer<double> whole = LinearTrainer(options);
        whole.Regularizer = new StepHook<double>(null, _ => { });
        TrainingHistory all = whole.Fit(data);

        // 30 training rows after the split: 3 steps an epoch. Cut after step 4 (epoch 2's first), 5 and 6 (its last).
        Trainer<double> cut = LinearTrainer(options);
        var fits = new List<TrainingHistory>();
        foreach (int step in new[] { 4, 5, 6, 0 })
        {
            using var cancel = new CancellationTokenSource();
            cut.Regularizer = new StepHook<double>(null, _ =>
            {
                if (cut.Steps + 1 == step)
                    cancel.Cancel();
            });
            fits.Add(cut.Fit(data, cancellationToken: cancel.Token));
        }

        Assert.Equal([[1], [], [2], [3]], fits.Select(f => f.Epochs.Select(e => e.Epoch).ToArray()));
        Assert.Equal(all.Epochs.Select(e => (e.TrainLoss, e.Steps, e.Validation)), fits.SelectMany(f => f.Epochs).Select(e => (e.TrainLoss, e.Steps, e.Validation)));
        Assert.Equal(whole.Model.Parameters.ToArray(), cut.Model.Parameters.ToArray());
    }

    [Theory]
    [InlineData(25, 10)] // fewer rows, but more than the cut epoch had done: it would finish on other rows
    [InlineData(12, 10)] // fewer rows than the cut epoch had done: it would count the epoch with no step
    [InlineData(40, 8)]  // the same rows in other batches
    public void AFitAfterACutOnOtherRowsOrBatchesIsRefusedAndLeavesTheEpochToFinish(int rows, int batchSize)
    {
        Dataset<double> data = Linear(rows: 40);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 10, Seed = 4 };
        Trainer<double> whole = LinearTrainer(options);
        whole.Fit(data);

        Trainer<double> cut = LinearTrainer(options);
        using var cancel = new CancellationTokenSource();
        cut.Regularizer = new StepHook<double>(null, step =>
        {
            if (step == 2)
                cancel.Cancel();
        });
        cut.Fit(data, cancellationToken: cancel.Token);
        Assert.Equal(2, cut.Steps);
        double[] before = cut.Model.Parameters.ToArray();

        if (rows != 40)
            Assert.Throws<ArgumentException>(() => cut.Fit(Linear(rows: rows, seed: 1)));
        if (batchSize != 10)
        {
            // Refused by the checkpoint's Load (which records the batches), before Fit's own check of the cut epoch.
            Assert.Contains("TrainerOptions.BatchSize is 10 (as run over its 40 training rows) in the checkpoint, 8 in the trainer's",
                Assert.Throws<FastNN.IO.ModelFileException>(() => Resume(cut, LinearTrainer(options with { BatchSize = batchSize }))).Message);
        }
        Assert.Equal(before, cut.Model.Parameters.ToArray());
        Assert.Equal((2L, 0), (cut.Steps, cut.CompletedEpochs));

        cut.Fit(data);
        Assert.Equal(whole.Model.Parameters.ToArray(), cut.Model.Parameters.ToArray());

        void Resume(Trainer<double> from, Trainer<double> to)
        {
            string path = Path.GetTempFileName();
            try
            {
                FastNN.IO.Checkpoint.Save(path, from);
                FastNN.IO.Checkpoint.Load(path, to);
                to.Fit(data);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void WithoutShuffleRowsAreVisitedInDatasetOrder()
    {
        Dataset<double> data = Linear(rows: 12);
        Trainer<double> fitted = LinearTrainer(new TrainerOptions { Epochs = 2, BatchSize = 5, Shuffle = false });
        fitted.Fit(data);

        Trainer<double> manual = LinearTrainer(new TrainerOptions());
        for (int epoch = 0; epoch < 2; epoch++)
        {
            foreach ((int first, int batch) in new[] { (0, 5), (5, 5), (10, 2) })
                manual.TrainStep(data.Features.Slice(2 * first, 2 * batch), data.Targets.Slice(first, batch), batch);
        }
        Assert.Equal(manual.Model.Parameters.ToArray(), fitted.Model.Parameters.ToArray());
    }

    [Fact]
    public void WithoutShuffleTheRowsAValidationFractionLeavesAreVisitedInDatasetOrder()
    {
        // Each row's target is its index, so the training steps' targets say which rows they saw, in which order.
        double[] index = [.. Enumerable.Range(0, 20).Select(r => (double)r)];
        var data = new Dataset<double>((double[])index.Clone(), index, 1);
        List<double> Visited(bool shuffle)
        {
            var seen = new List<double>();
            var model = new Sequential<double>([new Dense<double>(1, 1)], maxBatch: 8, seed: 3);
            var trainer = new Trainer<double>(model, new RecordingLoss(seen, () => model.Training), new Sgd<double>(model.Parameters.Length, learningRate: 0),
                TaskKind.Regression, new TrainerOptions { Epochs = 2, BatchSize = 4, Shuffle = shuffle, ValidationFraction = 0.25 });
            trainer.Fit(data);
            return seen;
        }

        List<double> unshuffled = Visited(shuffle: false);
        Assert.Equal(2 * 15, unshuffled.Count);
        Assert.Equal(unshuffled[..15], unshuffled[15..]);
        Assert.Equal(unshuffled[..15].Order(), unshuffled[..15]);   // was the split's random order
        // The same rows held out either way: the seed chooses them, Shuffle only their order.
        Assert.Equal(Visited(shuffle: true)[..15].Order(), unshuffled[..15]);
    }

    // MSE that records the targets of the steps taken in training mode (not the validation's).
    private sealed class RecordingLoss(List<double> seen, Func<bool> training) : ILoss<double>
    {
        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, Span<double> gradient, int batch)
        {
            if (training())
                seen.AddRange(target);
            return new MseLoss<double>().Compute(prediction, target, gradient, batch);
        }
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch()
    {
        // The validation targets are the negated training targets: fitting the training rows makes validation worse
        // after the first epochs, so training must stop Patience epochs after the best one.
        Dataset<double> train = Linear();
        var validation = new Dataset<double>(train.Features.ToArray(), train.Targets.ToArray().Select(v => -v).ToArray(), 2);
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 50, BatchSize = 16, Patience = 3 });
        var seen = new List<int>();
        trainer.EpochCompleted = e => seen.Add(e.Epoch);
        TrainingHistory history = trainer.Fit(train, validation);

        Assert.True(history.StoppedEarly);
        Assert.Equal(history.BestEpoch + 3, history.Epochs.Count);
        Assert.Equal(Enumerable.Range(1, history.Epochs.Count), seen);
        double bestLoss = history.Epochs.Min(e => e.Validation!.Loss);
        Assert.Equal(bestLoss, history.Best.Validation!.Loss);
        Assert.Equal(bestLoss, trainer.Evaluate(validation).Loss, 1e-12);
    }

    // "Train until early stopping ends it" (Keras users write epochs=10**9): a budget no run reaches. Fit sized its
    // history for every remaining epoch and threw OutOfMemoryException ("Array dimensions exceeded supported range")
    // before the first step.
    [Fact]
    public void AnEpochBudgetOfIntMaxValueTrainsUntilEarlyStoppingEndsTheRun()
    {
        Dataset<double> train = Linear();
        var validation = new Dataset<double>(train.Features.ToArray(), train.Targets.ToArray().Select(v => -v).ToArray(), 2);
        var options = new TrainerOptions { Epochs = int.MaxValue, BatchSize = 16, Patience = 3 };
        Trainer<double> unbounded = LinearTrainer(options), bounded = LinearTrainer(options with { Epochs = 50 });

        TrainingHistory history = unbounded.Fit(train, validation), expected = bounded.Fit(train, validation);

        Assert.True(history.StoppedEarly);
        Assert.Equal(expected.BestEpoch, history.BestEpoch);
        Assert.Equal(expected.Epochs.Count, history.Epochs.Count);
        Assert.Equal(bounded.Model.Parameters.ToArray(), unbounded.Model.Parameters.ToArray());
    }

    [Fact]
    public void CancellationFromACallbackEndsTrainingAfterThatEpoch()
    {
        using var cancel = new CancellationTokenSource();
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 10, BatchSize = 16 });
        trainer.EpochCompleted = e =>
        {
            if (e.Epoch == 2)
                cancel.Cancel();
        };
        TrainingHistory history = trainer.Fit(Linear(), cancellationToken: cancel.Token);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(8, trainer.Steps);
        Assert.False(history.StoppedEarly);
    }

    [Fact]
    public void RestoringTheBestEpochRestoresBatchNormRunningStatistics()
    {
        Dataset<double> train = Linear();
        var validation = new Dataset<double>(train.Features.ToArray(), train.Targets.ToArray().Select(v => -v).ToArray(), 2);
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(4).BatchNorm().Dense(1).Build(maxBatch: 64, seed: 2);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.05),
            TaskKind.Regression, new TrainerOptions { Epochs = 30, BatchSize = 16, Patience = 4 });
        TrainingHistory history = trainer.Fit(train, validation);
        Assert.True(history.StoppedEarly);
        // Evaluation mode uses the running statistics: the best epoch's loss comes back only if they were restored too.
        Assert.Equal(history.Best.Validation!.Loss, trainer.Evaluate(validation).Loss, 1e-12);
    }

    [Fact]
    public void EarlyStoppingCanWatchTheMetric()
    {
        Dataset<double> train = Linear();
        var validation = new Dataset<double>(train.Features.ToArray(), train.Targets.ToArray().Select(v => -v).ToArray(), 2);
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 50, BatchSize = 16, Patience = 2, EarlyStoppingOn = EarlyStoppingOn.ValidationMetric });
        TrainingHistory history = trainer.Fit(train, validation);
        Assert.True(history.StoppedEarly);
        Assert.Equal(history.Epochs.Max(e => e.Validation!.RSquared), history.Best.Validation!.RSquared);
        Assert.Equal(history.BestEpoch + 2, history.Epochs.Count);
    }

    [Fact]
    public void MinDeltaCountsOnlyImprovementsOnTheBestThatExceedIt()
    {
        // The validation losses of a run without early stopping; then the same run (same seed, same steps until it stops)
        // with MinDelta and Patience, against Keras's rule written here: an epoch improves when its loss is below the
        // best so far minus MinDelta (the best is not moved by smaller gains); stop after Patience epochs without one.
        Dataset<double> train = Linear(), validation = Linear(32, seed: 1);
        var options = new TrainerOptions { Epochs = 40, BatchSize = 16, Seed = 2 };
        var trajectory = LinearTrainer(options with { RestoreBest = false }).Fit(train, validation).Epochs.Select(e => e.Validation!.Loss).ToArray();
        double minDelta = trajectory[4] - trajectory[5];   // gains shrink epoch by epoch: the later ones are below it
        const int Patience = 3;

        int best = 0, stop = trajectory.Length - 1;
        for (int e = 1, wait = 0; e < trajectory.Length; e++)
        {
            if (trajectory[e] < trajectory[best] - minDelta)
                (best, wait) = (e, 0);
            else if (++wait >= Patience)
            {
                stop = e;
                break;
            }
        }
        Assert.True(stop < trajectory.Length - 1 && trajectory[stop] < trajectory[best], "the case does not exercise MinDelta");

        Trainer<double> trainer = LinearTrainer(options with { MinDelta = minDelta, Patience = Patience });
        var parameters = new List<double[]>();
        trainer.EpochCompleted = _ => parameters.Add(trainer.Model.Parameters.ToArray());
        TrainingHistory history = trainer.Fit(train, validation);
        Assert.Equal((best + 1, stop + 1, true), (history.BestEpoch, history.Epochs.Count, history.StoppedEarly));
        Assert.Equal(parameters[best], trainer.Model.Parameters.ToArray());
    }

    [Fact]
    public void AnEpochWhoseWatchedNumberIsNaNIsNeverTheBest()
    {
        // One validation row has no R² (NaN). The first epoch used to become best whatever its score, and since no number
        // beats NaN it stayed best: the trained model was silently put back to its first epoch's weights.
        Dataset<double> train = Linear();
        var validation = new Dataset<double>(train.Row(0).ToArray(), [train.Targets[0]], 2);
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 3, BatchSize = 16, EarlyStoppingOn = EarlyStoppingOn.ValidationMetric });
        double[] lastEpoch = [];
        trainer.EpochCompleted = _ => lastEpoch = trainer.Model.Parameters.ToArray();
        TrainingHistory history = trainer.Fit(train, validation);
        Assert.True(double.IsNaN(history.Epochs[0].Validation!.Metric));
        Assert.Equal(0, history.BestEpoch);
        Assert.Equal(3, history.Best.Epoch);
        Assert.Equal(lastEpoch, trainer.Model.Parameters.ToArray());
    }

    [Fact]
    public void EvaluateCoversRowsBeyondMaxBatch()
    {
        // 64 rows through a model of MaxBatch 64 / 5: evaluation runs in chunks; compare with one row at a time.
        Dataset<double> data = Linear();
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 5, seed: 4);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length), TaskKind.Regression);
        double[] oneByOne = Enumerable.Range(0, data.Rows).Select(r => model.Forward(data.Row(r), 1)[0]).ToArray();
        double sse = oneByOne.Select((p, r) => (p - data.Targets[r]) * (p - data.Targets[r])).Sum();

        Evaluation evaluation = trainer.Evaluate(data);
        double[] predicted = trainer.Predict(data).ToArray();
        Assert.Equal(data.Rows, predicted.Length);
        for (int r = 0; r < data.Rows; r++)
            Assert.Equal(oneByOne[r], predicted[r], 1e-12);   // batched and single-row products may round differently (FMA)
        Assert.Equal(sse / data.Rows, evaluation.Loss, 1e-12);
        Assert.Equal(Math.Sqrt(sse / data.Rows), evaluation.Rmse, 1e-12);
    }

    [Fact]
    public void ValidationFractionHoldsOutRowsAndReportsMetrics()
    {
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 40, BatchSize = 8, ValidationFraction = 0.25 });
        TrainingHistory history = trainer.Fit(Linear());
        Assert.All(history.Epochs, e => Assert.NotNull(e.Validation));
        Assert.Equal(40 * 6, trainer.Steps);   // 48 training rows in batches of 8
        Evaluation last = history.Epochs[^1].Validation!;
        Assert.True(last.RSquared > 0.99, $"R² = {last.RSquared}");
        Assert.Equal(Math.Sqrt(last.Loss), last.Rmse, 1e-9);   // MSE loss on one output is the squared RMSE
        Assert.True(double.IsNaN(last.Accuracy));
    }

    [Fact]
    public void ScheduleSetsTheRateEachEpochOrEachStep()
    {
        Trainer<double> byEpoch = LinearTrainer(new TrainerOptions { Epochs = 4, BatchSize = 16 });
        byEpoch.Schedule = new InverseTimeSchedule(0.1, decay: 0.5);
        TrainingHistory history = byEpoch.Fit(Linear());
        // Epoch e (from 0) runs at 0.1 / (1 + 0.5·e).
        Assert.Equal([0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 2.5], history.Epochs.Select(e => e.LearningRate), new ToleranceComparer(1e-15));
        Assert.Equal(4, byEpoch.CompletedEpochs);

        Trainer<double> byStep = LinearTrainer(new TrainerOptions { Epochs = 2, BatchSize = 16 });
        byStep.Schedule = new InverseTimeSchedule(0.1, decay: 0.5);
        byStep.ScheduleEachStep = true;
        history = byStep.Fit(Linear());
        // 4 steps per epoch; the last step of epoch 1 is step 3, of epoch 2 step 7.
        Assert.Equal([0.1 / 2.5, 0.1 / 4.5], history.Epochs.Select(e => e.LearningRate), new ToleranceComparer(1e-15));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void TrainStepAllocatesNothing()
    {
        Dataset<float> data = Csv.Read<float>(Data.DataFiles.Path("breast_cancer.csv"));
        var model = new Sequential<float>([new Dense<float>(30, 16), new Dense<float>(16, 1)], maxBatch: 32, seed: 1);
        var adam = new Adam<float>(model.Parameters.Length, learningRate: 1e-4);
        // Every hook on: monitor, L2 penalty, guard, clipping, a per-step schedule.
        var trainer = new Trainer<float>(model, new BceWithLogitsLoss<float>(), adam, TaskKind.BinaryClassification)
        {
            Monitor = new GradientMonitor<float>(model.ParameterTensors, new GradientMonitorOptions { Interval = 5, Capacity = 16 }),
            Regularizer = new L2Penalty<float>(1e-3),
            Guard = new NonFiniteGradientGuard<float>(model.ParameterTensors),
            MaxGradientNorm = 1.0,
            MaxGradientValue = 0.5,
            Schedule = new InverseTimeSchedule(1e-4, 1e-3),
            ScheduleEachStep = true,
        };
        float[] x = new float[32 * 30], y = new float[32];
        int[] rows = Enumerable.Range(0, 32).ToArray();
        data.Gather(rows, x, y);
        Standardizer.Fit<float>(x, 32, 30).Transform<float>(x);
        for (int i = 0; i < 50; i++)
            trainer.TrainStep(x, y, 32);

        Assert.Equal(0, SteadyStateAllocation.Least(5, () =>
        {
            for (int i = 0; i < 100; i++)
                trainer.TrainStep(x, y, 32);
        }));
        Assert.Equal(550, trainer.Steps);
        Assert.Equal(16, trainer.Monitor.SampleCount);
    }

    [Fact]
    public void GuardSkipsOrThrowsOnNonFiniteGradients()
    {
        Trainer<double> trainer = LinearTrainer(new TrainerOptions());
        trainer.Guard = new NonFiniteGradientGuard<double>(trainer.Model.ParameterTensors, NonFiniteGradientPolicy.SkipStep);
        double[] before = trainer.Model.Parameters.ToArray();
        Assert.True(double.IsNaN(trainer.TrainStep([double.NaN, 1], [1.0], 1)));
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
        Assert.Equal(1, trainer.Guard.SkippedSteps);
        Assert.Equal(0, trainer.Steps);
        Assert.False(double.IsNaN(trainer.TrainStep([0.5, 1], [1.0], 1)));
        Assert.Equal(1, trainer.Steps);

        trainer.Guard = new NonFiniteGradientGuard<double>(trainer.Model.ParameterTensors, NonFiniteGradientPolicy.Throw);
        var error = Assert.Throws<NonFiniteGradientException>(() => trainer.TrainStep([double.NaN, 1], [1.0], 1));
        Assert.Equal("0.weight", error.TensorName);
    }

    [Fact]
    public void MaxGradientNormBoundsTheStep()
    {
        // Plain SGD with γ = 1 moves θ by exactly the (clipped) gradient.
        var model = new Sequential<double>([new Dense<double>(2, 1)], maxBatch: 4, seed: 1);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 1), TaskKind.Regression)
        {
            MaxGradientNorm = 1e-3,
        };
        double[] before = model.Parameters.ToArray();
        trainer.TrainStep([3, 4, -2, 1], [100.0, -50], 2);
        double moved = Math.Sqrt(model.Parameters.ToArray().Zip(before, (a, b) => (a - b) * (a - b)).Sum());
        // clip_grad_norm_ scales by max / (‖g‖ + 1e-6), a hair under max for ‖g‖ ≫ 1.
        Assert.InRange(moved, 1e-3 * (1 - 1e-6), 1e-3);
    }

    [Fact]
    public void NonFiniteLossThrowsNamingTheStep()
    {
        Trainer<double> trainer = LinearTrainer(new TrainerOptions());
        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep([double.MaxValue, double.MaxValue], [1.0], 1));
        Assert.Contains("step 0", error.Message);
    }

    [Fact]
    public void RejectsMismatchedModelTaskAndOptions()
    {
        var model = new Sequential<double>([new Dense<double>(2, 3)], maxBatch: 8);
        var sgd = new Sgd<double>(model.Parameters.Length);
        Assert.Throws<ArgumentException>(() => new Trainer<double>(model, new MseLoss<double>(), sgd, TaskKind.Regression));
        Assert.Throws<ArgumentException>(() => new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(5), TaskKind.MultiClassClassification));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(model, new SoftmaxCrossEntropyLoss<double>(), sgd,
            TaskKind.MultiClassClassification, new TrainerOptions { BatchSize = 9 }));
        var trainer = new Trainer<double>(model, new SoftmaxCrossEntropyLoss<double>(), sgd, TaskKind.MultiClassClassification, new TrainerOptions { Patience = 2 });
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(new Dataset<double>(new double[4], [0, 1], 2)));
        Assert.Throws<ArgumentException>(() => trainer.Fit(new Dataset<double>(new double[6], [0, 1], 3)));
    }

    [Fact]
    public void RejectsAnUndefinedTaskOrEarlyStoppingWatch()
    {
        // A cast integer meets the enum type but names no task: with a loss of its own the trainer would train it as
        // one of the three (the metric code's default branch), and the messages would read "A 3 model needs ...".
        var model = new Sequential<double>([new Dense<double>(2, 3)], maxBatch: 8);
        var sgd = new Sgd<double>(model.Parameters.Length);
        var task = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(model, new OwnLoss(), sgd, (TaskKind)3));
        Assert.Equal("task", task.ParamName);
        // Any watch but ValidationLoss was read as ValidationMetric, and a checkpoint recorded the number.
        var watch = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(model, new SoftmaxCrossEntropyLoss<double>(), sgd,
            TaskKind.MultiClassClassification, new TrainerOptions { EarlyStoppingOn = (EarlyStoppingOn)2 }));
        Assert.Equal("EarlyStoppingOn", watch.ParamName);
    }

    // A loss the trainer cannot judge (not a built-in one): only the task decides how the trainer runs.
    private sealed class OwnLoss : ILoss<double>
    {
        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, Span<double> gradient, int batch)
        {
            gradient.Clear();
            return 0;
        }
    }
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StepsSkipTheInputGradientWithBitIdenticalResultsAndRestoreTheSetting(bool setting)
    {
        // Reference: the same steps written by hand with the input gradient computed.
        static Sequential<float> Model() => new([new Dense<float>(5, 7), new Relu<float>(7), new Dense<float>(7, 1)], maxBatch: 8, seed: 11);
        var random = new Random(4);
        float[] x = [.. Enumerable.Range(0, 8 * 5).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] y = [.. Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble())];

        Sequential<float> manual = Model();
        var manualSgd = new Sgd<float>(manual.Parameters.Length, learningRate: 0.05, momentum: 0.9);
        var loss = new MseLoss<float>();
        var dy = new float[8];
        for (int step = 0; step < 5; step++)
        {
            manual.Training = true;
            manual.ZeroGrad();
            loss.Compute(manual.Forward(x, 8), y, dy, 8);
            manual.Backward(dy, 8);
            manualSgd.Step(manual.Parameters, manual.Gradients);
        }
        Assert.Equal(8 * 5, manual.InputGradient(8).Length);

        Sequential<float> model = Model();
        model.ComputeInputGradient = setting;
        var trainer = new Trainer<float>(model, loss, new Sgd<float>(model.Parameters.Length, learningRate: 0.05, momentum: 0.9), TaskKind.Regression);
        for (int step = 0; step < 5; step++)
            trainer.TrainStep(x, y, 8);

        Assert.Equal(manual.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(setting, model.ComputeInputGradient);
        Assert.Throws<InvalidOperationException>(() => { model.InputGradient(8); }); // the step skipped it
    }

    [Fact]
    public void AnEmptyDatasetIsRejectedBeforeAnyEpochIsSpent()
    {
        // Before: Fit ran every epoch without a step (loss NaN) and used up the epoch budget; Evaluate blamed 'targets'.
        var empty = new Dataset<double>([], [], 2);
        Trainer<double> trainer = LinearTrainer(new TrainerOptions { Epochs = 3 });
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => trainer.Fit(empty)).ParamName);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(Linear(), empty)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.Evaluate(empty)).ParamName);
        Assert.Equal(0, trainer.CompletedEpochs);
        Assert.Equal(0, trainer.Steps);
        Assert.Equal(3, trainer.Fit(Linear()).Epochs.Count);
    }

    // A setting that cannot work is refused when it is set (naming the property's value), not in the middle of a later
    // TrainStep, after the forward and backward passes, with an exception about an argument ('maxNorm', 'parameters',
    // 'gradients') the caller never passed.
    [Fact]
    public void SettingsThatCannotWorkAreRefusedWhenSet()
    {
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length), TaskKind.Regression);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientNorm = -1).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientNorm = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientNorm = double.PositiveInfinity);

        Sequential<double> other = new SequentialBuilder<double>(2).Dense(8).Dense(1).Build(maxBatch: 4);
        Assert.Contains("another model", Assert.Throws<ArgumentException>(() => trainer.Monitor = new GradientMonitor<double>(other.ParameterTensors)).Message);
        Assert.Contains("another model", Assert.Throws<ArgumentException>(() => trainer.Guard = new NonFiniteGradientGuard<double>(other.ParameterTensors)).Message);
        Assert.Null(trainer.Monitor);
        Assert.Null(trainer.Guard);
        Assert.Null(trainer.MaxGradientNorm);

        trainer.MaxGradientNorm = 0;
        trainer.Monitor = new GradientMonitor<double>(model.ParameterTensors);
        trainer.Guard = new NonFiniteGradientGuard<double>(model.ParameterTensors);
        double loss = trainer.TrainStep(new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new double[] { 1, 0, 1, 0 }, 4);
        Assert.True(double.IsFinite(loss));
    }

    [Fact]
    public void ClassTargetsAreComparedWithTheClassCountExactlyInFloat()
    {
        // 2²⁴ + 1 classes round to 2²⁴ in float: the valid top label 2²⁴ was refused by Fit and Evaluate as not in
        // [0, 16777217), as SoftmaxCrossEntropyLoss refused it before it compared in double. A ReLU alone (no
        // parameters) keeps the model small: one row whose only positive feature is the top class's.
        const int classes = (1 << 24) + 1;
        var features = new float[classes];
        features[1 << 24] = 1;
        var data = new Dataset<float>(features, [1 << 24], classes);
        Sequential<float> model = new SequentialBuilder<float>(classes).Relu().Build(maxBatch: 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(0), TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 1 });

        Assert.Empty(trainer.Fit(data, cancellationToken: new CancellationToken(canceled: true)).Epochs);
        var e = Assert.Throws<ArgumentException>("data", () => trainer.Evaluate(new Dataset<float>(features, [(1 << 24) + 2], classes)));
        Assert.Contains("is 16777218, not a class index in [0, 16777217)", e.Message);
    }
}
