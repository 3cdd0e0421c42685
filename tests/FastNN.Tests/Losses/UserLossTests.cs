using System.Numerics;
using FastNN.Data;
using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Losses;

/// <summary>
/// A loss of the user's own, written as README says (an <see cref="ILoss{T}"/>, generic, checked as double): its gradient
/// passes the public checker, a Trainer trains with it by TrainStep and Fit, and the validation loss that early stopping
/// watches is that loss's mean over every validation row, a last short batch weighing its rows only.
/// </summary>
public class UserLossTests
{
    /// <summary>L1 loss, as PyTorch's nn.L1Loss(): mean |p − t| over every element, gradient sign(p − t)/N.</summary>
    private sealed class L1Loss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
        {
            double sum = 0;
            T inverse = T.One / T.CreateTruncating(prediction.Length);
            for (int i = 0; i < prediction.Length; i++)
            {
                T d = prediction[i] - target[i];
                sum += double.CreateTruncating(T.Abs(d));
                gradient[i] = T.CreateTruncating(T.Sign(d)) * inverse;
            }
            return T.CreateTruncating(sum / prediction.Length);
        }
    }

    [Fact]
    public void GradientChecksAwayFromItsKink()
    {
        double[] p = [0.5, -1, 2, 0.25, 1, -0.5], t = [0, 0.5, 1, -1, 2, 0.25];
        GradientCheck.AssertLoss(new L1Loss<double>(), p, t, 3);
    }

    [Fact]
    public void TrainsThroughFitAndTrainStepAndValidatesWithItself()
    {
        // y = 2x₀ − x₁ + 0.5 on 60 training rows; 25 validation rows in batches of 10, 10 and 5.
        static Dataset<float> Rows(int rows, int offset)
        {
            float[] x = new float[rows * 2], y = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                (x[2 * r], x[2 * r + 1]) = (MathF.Sin(r + offset), MathF.Cos(3 * (r + offset)));
                y[r] = 2 * x[2 * r] - x[2 * r + 1] + 0.5f;
            }
            return new Dataset<float>(x, y, 2);
        }
        Dataset<float> train = Rows(60, 0), validation = Rows(25, 1000);
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 10, seed: 3);
        var trainer = new Trainer<float>(model, new L1Loss<float>(), new Adam<float>(model.Parameters.Length, learningRate: 0.05),
            TaskKind.Regression, new TrainerOptions { Epochs = 40, Seed = 1, Patience = 5, RestoreBest = false });

        Evaluation before = trainer.Evaluate(validation);
        double step = trainer.TrainStep(train.Features[..20], train.Targets[..10], 10);
        TrainingHistory history = trainer.Fit(train, validation);

        Assert.True(double.IsFinite(step));
        Evaluation after = trainer.Evaluate(validation);
        Assert.True(after.Loss < 0.2 * before.Loss, $"validation L1 {before.Loss} -> {after.Loss}");
        Assert.Equal(history.Epochs[^1].Validation!.Loss, after.Loss);
        // The validation loss is the mean of |p − t| over the 25 rows, computed here in double from the predictions.
        ReadOnlySpan<float> predictions = trainer.Predict(validation);
        double expected = 0;
        for (int r = 0; r < validation.Rows; r++)
            expected += Math.Abs((double)predictions[r] - validation.Targets[r]) / validation.Rows;
        Assert.Equal(expected, after.Loss, 1e-6);
    }
}
