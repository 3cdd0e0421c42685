using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using Xunit.Abstractions;

namespace FastNN.Tests.Gradients;

/// <summary>The monitor on real deep networks: the classic vanishing-gradient case and its cure.</summary>
public class GradientFlowTests(ITestOutputHelper output)
{
    private const int Width = 32, Depth = 20, Batch = 64;

    // One forward and backward pass of a BCE loss on random inputs and labels, then one monitor sample.
    private GradientReport Sample(Sequential<double> model)
    {
        var random = new Random(5);
        double[] x = Enumerable.Range(0, Batch * Width).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] y = Enumerable.Range(0, Batch).Select(_ => (double)random.Next(2)).ToArray();
        var gradient = new double[Batch];
        model.ZeroGrad();
        ReadOnlySpan<double> logits = model.Forward(x, Batch);
        new BceWithLogitsLoss<double>().Compute(logits, y, gradient, Batch);
        model.Backward(gradient, Batch);

        var monitor = new GradientMonitor<double>(model.ParameterTensors, new GradientMonitorOptions { Interval = 1 });
        monitor.BeforeStep(0, model.Parameters, model.Gradients);
        GradientReport report = monitor.Report();
        output.WriteLine(report.ToString());
        return report;
    }

    private static Sequential<double> Deep(Action<SequentialBuilder<double>> activation)
    {
        var builder = new SequentialBuilder<double>(Width);
        for (int layer = 0; layer < Depth - 1; layer++)
        {
            builder.Dense(Width);
            activation(builder);
        }
        return builder.Dense(1).Build(Batch, seed: 3);
    }

    [Fact]
    public void TwentyLayerSigmoidNetworkAtDefaultInitIsFlaggedVanishing()
    {
        GradientReport report = Sample(Deep(b => b.Sigmoid()));
        Assert.Equal(Depth, report.Layers.Count);
        Assert.True(report.Layers[0].Health.HasFlag(GradientHealth.Vanishing));
        Assert.True(report.Layers[0].RatioToLast < 1e-3);
        Assert.Equal(GradientHealth.Healthy, report.Layers[^1].Health);
    }

    [Fact]
    public void TwentyLayerReluNetworkWithHeInitIsHealthy()
    {
        Sequential<double> model = Deep(b => b.Relu());
        Init.Parameters(model.Parameters, model.ParameterTensors, seed: 3, WeightInit.HeNormal, Nonlinearity.Relu);
        GradientReport report = Sample(model);
        Assert.Equal(GradientHealth.Healthy, report.Health);
        Assert.All(report.Layers, l => Assert.InRange(l.RatioToLast, 1e-2, 1e2));
    }
}
