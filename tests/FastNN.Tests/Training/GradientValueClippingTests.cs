using System.Text.Json;
using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// <see cref="Trainer{T}.MaxGradientValue"/> (clip_grad_value_ in the step): against a plain loop in double and against
/// PyTorch 1.13 loops from Fixtures/clip_value_fixtures.json (written by Fixtures/make_clip_value_fixtures.py).
/// </summary>
public class GradientValueClippingTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("clip_value_fixtures.json", "FastNN clip-value fixtures", version: 1));

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    [Fact]
    public void MaxGradientValueIsRefusedOutsideItsRangeWhenSet()
    {
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length), TaskKind.Regression);
        Assert.Null(trainer.MaxGradientValue);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientValue = -1);
        Assert.Equal("value", e.ParamName);
        Assert.Contains("MaxGradientValue must be finite and non-negative", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientValue = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.MaxGradientValue = double.PositiveInfinity);
        Assert.Null(trainer.MaxGradientValue);

        // 0 clamps every gradient to 0: the step leaves the parameters where they are.
        trainer.MaxGradientValue = 0;
        double[] before = model.Parameters.ToArray();
        trainer.TrainStep([1.0, 2, 3, 4], [10.0, -10], 2);
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(1, trainer.Steps);
    }

    // Linear regression y = w·x + b (Dense(3, 1)) under MSE, an L2 penalty on w, plain SGD: the gradient in closed form,
    // g_w = 2/n·Σ(p − t)·x + λ·w and g_b = 2/n·Σ(p − t), clamped (then, with maxNorm, scaled as clip_grad_norm_), then
    // θ ← θ − γ·g; four steps on batches where some gradients exceed the clamp and others do not.
    private static double[] Reference(double[] theta, double[][] batches, double[][] targets, double lambda, double lr,
        double maxValue, double? maxNorm, bool normFirst = false)
    {
        theta = (double[])theta.Clone();
        for (int step = 0; step < batches.Length; step++)
        {
            double[] x = batches[step], t = targets[step];
            int n = t.Length;
            var g = new double[4];
            for (int r = 0; r < n; r++)
            {
                double p = theta[3];
                for (int j = 0; j < 3; j++)
                    p += theta[j] * x[3 * r + j];
                double d = 2 * (p - t[r]) / n;
                for (int j = 0; j < 3; j++)
                    g[j] += d * x[3 * r + j];
                g[3] += d;
            }
            for (int j = 0; j < 3; j++)
                g[j] += lambda * theta[j];
            if (normFirst)
                Norm(g, maxNorm);
            for (int j = 0; j < 4; j++)
                g[j] = Math.Clamp(g[j], -maxValue, maxValue);
            if (!normFirst)
                Norm(g, maxNorm);
            for (int j = 0; j < 4; j++)
                theta[j] -= lr * g[j];
        }
        return theta;

        static void Norm(double[] g, double? maxNorm)
        {
            if (maxNorm is not double max)
                return;
            double c = max / (Math.Sqrt(g.Sum(v => v * v)) + 1e-6);
            if (c < 1)
                for (int j = 0; j < g.Length; j++)
                    g[j] *= c;
        }
    }

    private static (double[][] Batches, double[][] Targets) Steps()
    {
        double[][] batches =
        [
            [0.5, -1.0, 2.0, 1.5, 0.25, -0.75, -2.0, 1.0, 0.1],
            [1.0, 1.0, 1.0, -0.5, 0.2, 0.3],
            [0.3, -0.2, 0.1, 0.05, 0.02, -0.01, 2.5, -1.5, 0.5],
            [-1.0, 0.5, 0.25, 0.75, -0.25, 1.25],
        ];
        double[][] targets = [[4.0, -3.0, 0.5], [2.0, -0.1], [0.2, 0.1, 6.0], [-2.0, 1.0]];
        return (batches, targets);
    }

    private static double[] Run(double maxValue, double? maxNorm)
    {
        const double Lambda = 0.3, Lr = 0.2;
        var model = new Sequential<double>([new Dense<double>(3, 1)], maxBatch: 3, seed: 2);
        model.SetTensor("0.weight", [0.4, -0.3, 0.2]);
        model.SetTensor("0.bias", [0.1]);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(4, Lr), TaskKind.Regression)
        {
            Regularizer = new L2Penalty<double>(Lambda),
            MaxGradientValue = maxValue,
            MaxGradientNorm = maxNorm,
        };
        (double[][] batches, double[][] targets) = Steps();
        for (int s = 0; s < batches.Length; s++)
            trainer.TrainStep(batches[s], targets[s], targets[s].Length);
        double[] theta = [.. model.Tensor("0.weight"), .. model.Tensor("0.bias")];
        double[] reference = Reference([0.4, -0.3, 0.2, 0.1], batches, targets, Lambda, Lr, maxValue, maxNorm);
        Assert.Equal(reference, theta, (a, b) => Math.Abs(a - b) <= 1e-14 * Math.Max(1, Math.Abs(a)));
        return theta;
    }

    // The clamp acts on the penalized gradient (λ·w included), as clip_grad_value_ after backward() on the objective:
    // λ = 0.3 moves the weights' gradients across the clamp, so a clamp before the penalty would differ.
    [Fact]
    public void TheStepClampsThePenalizedGradientAsAPlainLoop()
    {
        double[] theta = Run(maxValue: 0.5, maxNorm: null);
        (double[][] batches, double[][] targets) = Steps();
        double[] unclamped = Reference([0.4, -0.3, 0.2, 0.1], batches, targets, 0.3, 0.2, double.PositiveInfinity, null);
        Assert.True(theta.Zip(unclamped).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the clamp never bit");
    }

    // Both set: clamp first, then the norm of the clamped gradients (Keras's clipvalue before clipnorm). The other order
    // gives other parameters on these steps, so the test tells the two apart.
    [Fact]
    public void WithBothTheValuesAreClampedFirstThenTheNormIsBounded()
    {
        double[] theta = Run(maxValue: 0.5, maxNorm: 0.6);
        (double[][] batches, double[][] targets) = Steps();
        double[] normFirst = Reference([0.4, -0.3, 0.2, 0.1], batches, targets, 0.3, 0.2, 0.5, 0.6, normFirst: true);
        Assert.True(theta.Zip(normFirst).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the order made no difference");
        double[] valueOnly = Reference([0.4, -0.3, 0.2, 0.1], batches, targets, 0.3, 0.2, 0.5, null);
        Assert.True(theta.Zip(valueOnly).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the norm never bit");
    }

    /// <summary>
    /// A whole Fit against the PyTorch loops: Linear(3, 4)-Tanh-Linear(4, 1), MSE plus L2 (λ = 0.02) on the weights,
    /// clip_grad_value_(0.05) (then clip_grad_norm_(0.08) in "value_norm"), SGD with momentum 0.9, 4 epochs of 10 rows
    /// in batches of 4, 4 and 2. Double: tolerance as TrainingFixtureTests' loops (1e-12 relative, 1e-14 absolute).
    /// </summary>
    [Theory]
    [InlineData("value")]
    [InlineData("value_norm")]
    public void FitMatchesAPyTorchLoopWithClipGradValue(string name)
    {
        JsonElement root = Fixture.Value;
        JsonElement loop = root.GetProperty("loops").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);
        int Int(string key) => root.GetProperty(key).GetInt32();
        int inputs = Int("inputs"), hidden = Int("hidden");
        var model = new Sequential<double>([new Dense<double>(inputs, hidden), new Tanh<double>(hidden), new Dense<double>(hidden, 1)], Int("batch"));
        foreach (JsonProperty tensor in loop.GetProperty("initial").EnumerateObject())
            model.SetTensor(tensor.Name, Doubles(tensor.Value));
        var rows = new Dataset<double>(Doubles(root.GetProperty("features")), Doubles(root.GetProperty("targets")), inputs);
        var optimizer = new Sgd<double>(model.Parameters.Length, root.GetProperty("lr").GetDouble(), root.GetProperty("momentum").GetDouble());
        var trainer = new Trainer<double>(model, new MseLoss<double>(), optimizer, TaskKind.Regression,
            new TrainerOptions { Epochs = Int("epochs"), BatchSize = Int("batch"), Shuffle = false })
        {
            Regularizer = new L2Penalty<double>(root.GetProperty("l2").GetDouble()),
            MaxGradientValue = loop.GetProperty("max_value").GetDouble(),
            MaxGradientNorm = loop.GetProperty("max_norm").ValueKind == JsonValueKind.Null ? null : loop.GetProperty("max_norm").GetDouble(),
        };
        Assert.True(loop.GetProperty("clamped").GetInt32() > 0);
        TrainingHistory history = trainer.Fit(rows);
        Assert.Equal(Doubles(loop.GetProperty("epoch_losses")), history.Epochs.Select(e => e.TrainLoss), (a, b) => Math.Abs(a - b) <= 1e-14 + 1e-12 * Math.Abs(a));
        foreach (JsonProperty tensor in loop.GetProperty("final").EnumerateObject())
            Assert.Equal(Doubles(tensor.Value), model.Tensor(tensor.Name).ToArray(), (a, b) => Math.Abs(a - b) <= 1e-14 + 1e-12 * Math.Abs(a));
    }
}
