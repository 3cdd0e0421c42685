using FastNN.Data;
using FastNN.Gradients;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Tests.IO;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// A Fit that a step's divergence ends pauses the run as a cancelled one does: the refused step leaves the model and
/// the optimizer as they were, and the next Fit (or a checkpoint saved then) resumes at that step's batch in the same
/// row order, so that a user who catches the exception, changes what made it diverge and calls Fit again continues the
/// same epoch. Here the step diverges once (a penalty of NaN, refused as a NaN loss), at each step of a 3-epoch run in
/// turn: going on ends with the parameters of the run in which it never diverged.
/// </summary>
public class DivergedFitResumeTests
{
    private const int Epochs = 3, BatchesPerEpoch = 4;

    [Fact]
    public void AFitAfterADivergenceResumesAtTheBatchThatDivergedAndACheckpointSavedThenToo()
    {
        Dataset<double> data = Rows();
        Trainer<double> whole = New(divergeAt: 0);
        TrainingHistory wholeHistory = whole.Fit(data);
        double[] expected = whole.Model.Parameters.ToArray();

        using var folder = new TempFolder();
        for (int at = 1; at <= Epochs * BatchesPerEpoch; at++)
        {
            int epoch = (at - 1) / BatchesPerEpoch + 1, step = at - 1;
            Trainer<double> first = New(divergeAt: at);
            var error = Assert.Throws<InvalidOperationException>(() => first.Fit(data));
            Assert.Contains($"NaN at step {step}", error.Message);
            Assert.Equal((step, epoch - 1), (first.Steps, first.CompletedEpochs));
            string path = folder.File($"diverged{at}.ckpt.safetensors");
            Checkpoint.Save(path, first);

            // Going on in the same trainer: the epoch that diverged is finished, from its batch, and counted once.
            TrainingHistory rest = first.Fit(data);
            Assert.True(expected.SequenceEqual(first.Model.Parameters.ToArray()), $"diverged at step {at}, the same trainer");
            Assert.Equal(Enumerable.Range(epoch, Epochs - epoch + 1), rest.Epochs.Select(e => e.Epoch));
            Assert.Equal(wholeHistory.Epochs[epoch - 1].TrainLoss, rest.Epochs[0].TrainLoss);
            Assert.Equal(whole.Steps, first.Steps);

            // Going on from the checkpoint saved after the divergence: the same.
            Trainer<double> resumed = New(divergeAt: 0);
            Checkpoint.Load(path, resumed);
            resumed.Fit(data);
            Assert.True(expected.SequenceEqual(resumed.Model.Parameters.ToArray()), $"diverged at step {at}, resumed from a checkpoint");
        }
    }

    [Fact]
    public void AFitAfterADivergenceRefusesOtherTrainingRowsAsAfterACancellation()
    {
        Dataset<double> data = Rows();
        Trainer<double> trainer = New(divergeAt: 6);
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        var fewer = new Dataset<double>(data.Features[..(2 * 9)].ToArray(), data.Targets[..9].ToArray(), 2);

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(fewer));
        Assert.Contains("was begun over 11 training rows (3 done); this Fit has 9", error.Message);
    }

    [Fact]
    public void AGuardsExceptionCaughtAndTheGuardSetToSkipGoesOnAsARunThatSkippedFromTheStart()
    {
        // The way on after a step whose gradient is not finite: the retried step meets the same weights and rows, so it
        // would throw again; a guard that skips it instead lets the epoch go on from the next batch. Before, the next Fit
        // began the epoch again in a new order, training its first rows twice.
        Dataset<double> data = Rows();
        Trainer<double> skipping = New(divergeAt: 0, new NaNGradientOnRow(data.Targets[7]));
        skipping.Guard = new NonFiniteGradientGuard<double>(skipping.Model.ParameterTensors, NonFiniteGradientPolicy.SkipStep);
        skipping.Fit(data);
        Assert.Equal(Epochs, skipping.Guard.SkippedSteps);

        Trainer<double> trainer = New(divergeAt: 0, new NaNGradientOnRow(data.Targets[7]));
        trainer.Guard = new NonFiniteGradientGuard<double>(trainer.Model.ParameterTensors);
        Assert.Throws<NonFiniteGradientException>(() => trainer.Fit(data));
        trainer.Guard = new NonFiniteGradientGuard<double>(trainer.Model.ParameterTensors, NonFiniteGradientPolicy.SkipStep);
        TrainingHistory rest = trainer.Fit(data);

        Assert.Equal(1, rest.Epochs[0].Epoch);
        Assert.Equal(skipping.Steps, trainer.Steps);
        Assert.Equal(skipping.Model.Parameters.ToArray(), trainer.Model.Parameters.ToArray());
    }

    // MSE, with a NaN gradient for a batch that holds the row whose target is given.
    private sealed class NaNGradientOnRow(double target) : ILoss<double>
    {
        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> targets, Span<double> gradient, int batch)
        {
            double loss = new MseLoss<double>().Compute(prediction, targets, gradient, batch);
            if (targets.Contains(target))
                gradient[0] = double.NaN;
            return loss;
        }
    }

    // Dense(2, 4) → BatchNorm → ReLU → Dense(1) under Adam with a cosine schedule per epoch, 11 rows in batches of 3, 3, 3
    // and 2, shuffled: the running statistics, the optimizer's state, the schedule and the row order must all resume.
    private static Trainer<double> New(int divergeAt, ILoss<double>? loss = null)
    {
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(4).BatchNorm().Relu().Dense(1).Build(maxBatch: 3, seed: 5);
        return new Trainer<double>(model, loss ?? new MseLoss<double>(), new Adam<double>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression,
            new TrainerOptions { Epochs = Epochs, BatchSize = 3, Seed = 12 })
        {
            Schedule = new CosineAnnealingSchedule(0.01, tMax: Epochs),
            Regularizer = new DivergesOnce(divergeAt),
        };
    }

    // No penalty, but NaN at its call number divergeAt (1, 2, …; never for 0), which the trainer refuses as a NaN loss.
    private sealed class DivergesOnce(int divergeAt) : IRegularizer<double>
    {
        private int _calls;

        public double AddTo(ReadOnlySpan<double> parameters, Span<double> gradients, IReadOnlyList<ParameterTensor> tensors) =>
            ++_calls == divergeAt ? double.NaN : 0;
    }

    // y = x0 − 2·x1, 11 rows.
    private static Dataset<double> Rows()
    {
        var random = new Random(4);
        var x = new double[22];
        var y = new double[11];
        for (int r = 0; r < 11; r++)
        {
            (x[2 * r], x[2 * r + 1]) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            y[r] = x[2 * r] - 2 * x[2 * r + 1];
        }
        return new Dataset<double>(x, y, 2);
    }
}
