using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>What the trainer shows its gradient monitor: the loss's own gradient, before a penalty and before clipping.</summary>
public class TrainerMonitorTests
{
    private const int Width = 8, Depth = 12, Batch = 16;

    // A 12-layer sigmoid network at PyTorch's default initialization: the first layer's loss gradient has all but vanished.
    private static Sequential<double> Deep()
    {
        var builder = new SequentialBuilder<double>(Width);
        for (int layer = 0; layer < Depth - 1; layer++)
            builder.Dense(Width).Sigmoid();
        return builder.Dense(1).Build(Batch, seed: 2);
    }

    [Fact]
    public void TheMonitorReadsTheLossGradientBeforeThePenaltyAndClipping()
    {
        var random = new Random(7);
        double[] x = Enumerable.Range(0, Batch * Width).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] y = Enumerable.Range(0, Batch).Select(_ => random.NextDouble()).ToArray();

        // The reference: the loss's gradient by a forward and backward pass alone, each layer's norm summed in double.
        Sequential<double> reference = Deep();
        var lossGradient = new double[Batch];
        reference.ZeroGrad();
        new MseLoss<double>().Compute(reference.Forward(x, Batch), y, lossGradient, Batch);
        reference.Backward(lossGradient, Batch);
        double[] expected = reference.ParameterTensors.GroupBy(t => t.LayerIndex).OrderBy(g => g.Key)
            .Select(g => Math.Sqrt(g.Sum(t => reference.Gradients.Slice(t.Offset, t.Length).ToArray().Sum(v => v * v))))
            .ToArray();
        Assert.True(expected[0] < 1e-6 * expected[^1], $"the first layer's loss gradient should have vanished: {expected[0]:E2} vs {expected[^1]:E2}");

        // An L2 penalty whose λ·w dwarfs that gradient, and clipping that shrinks every gradient a millionfold.
        Sequential<double> model = Deep();
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1), TaskKind.Regression)
        {
            Regularizer = new L2Penalty<double>(0.1),
            MaxGradientNorm = 1e-6,
            Monitor = new GradientMonitor<double>(model.ParameterTensors, new GradientMonitorOptions { Interval = 1 }),
        };
        trainer.TrainStep(x, y, Batch);

        GradientReport report = trainer.Monitor.Report();
        Assert.Equal(expected.Length, report.Layers.Count);
        for (int l = 0; l < expected.Length; l++)
            Assert.True(Math.Abs(report.Layers[l].GradientNorm - expected[l]) <= 1e-12 * expected[l],
                $"layer {l}: the monitor read {report.Layers[l].GradientNorm:E6}, the loss's gradient is {expected[l]:E6}");
        Assert.True(report.Layers[0].Health.HasFlag(GradientHealth.Vanishing));
    }

    [Fact]
    public void AStepTheGuardRefusesIsSampledWithNoUpdateAndTheRetryKeepsItsStepNumber()
    {
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(3).Tanh().Dense(1).Build(4, seed: 1);
        var guard = new NonFiniteGradientGuard<double>(model.ParameterTensors, NonFiniteGradientPolicy.SkipStep);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1), TaskKind.Regression)
        {
            Guard = guard,
            Monitor = new GradientMonitor<double>(model.ParameterTensors, new GradientMonitorOptions { Interval = 1 }),
        };
        double[] y = [0, 1, 0, 1];
        trainer.TrainStep(new double[] { 1, 2, double.NaN, 0, 1, 1, 0, 0 }, y, 4);
        Assert.Equal((0L, 1L), (trainer.Steps, guard.SkippedSteps));
        GradientReport refused = trainer.Monitor!.Report();
        Assert.Equal(GradientHealth.NonFinite, refused.Layers[0].Health);
        Assert.All(refused.Layers, l => Assert.True(double.IsNaN(l.UpdateRatio)));

        trainer.TrainStep(new double[] { 1, 2, 3, 0, 1, 1, 0, 0 }, y, 4);
        GradientReport taken = trainer.Monitor.Report();
        Assert.Equal([0L, 0L], taken.Steps);
        Assert.Equal(GradientHealth.Healthy, taken.Layers[0].Health & GradientHealth.NonFinite);
        Assert.All(taken.Layers, l => Assert.True(l.UpdateRatio > 0 && double.IsFinite(l.UpdateRatio), $"{l.Name}: {l.UpdateRatio}"));
    }
}
