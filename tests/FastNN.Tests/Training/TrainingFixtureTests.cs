using System.Text.Json;
using FastNN.Data;
using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Training;
using static FastNN.Tests.Optimizers.TestData;

namespace FastNN.Tests.Training;

/// <summary>
/// Training semantics against what PyTorch 1.13 computes, from Fixtures/training_fixtures.json (written once by
/// Fixtures/make_training_fixtures.py, output committed; the tests never run Python).
/// </summary>
public class TrainingFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("training_fixtures.json", "FastNN training fixtures", version: 1));

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static JsonElement Named(string section, string name)
        => Fixture.Value.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>
    /// The rate each of two groups trains with (γ 0.1, and 0.03 of its own) at steps 0…T−1, read back from SGD: a zero
    /// parameter with a unit gradient becomes −γ_g exactly. Tolerance 1e-12 relative: FastNN evaluates PyTorch's closed
    /// forms, PyTorch steps its recursive (chainable) forms, whose rounding grows by a few ulps a step over ≤ 20 steps
    /// (≤ 1e-14); 1e-16 absolute for the rates at the bottom of a cosine, 0 in one form and ~1e-18 in the other.
    /// </summary>
    [Theory]
    [InlineData("step")]
    [InlineData("exponential")]
    [InlineData("cosine")]
    [InlineData("cosine_eta_min")]
    [InlineData("warmup_cosine")]
    public void ScheduleGivesEveryGroupPyTorchsRate(string name)
    {
        JsonElement c = Named("schedules", name);
        ILearningRateSchedule schedule = name switch
        {
            "step" => new StepSchedule(0.1, 3, 0.5),
            "exponential" => new ExponentialSchedule(0.1, 0.9),
            "cosine" => new CosineAnnealingSchedule(0.1, 6),
            "cosine_eta_min" => new CosineAnnealingSchedule(0.1, 6, 0.01),
            "warmup_cosine" => new WarmupSchedule(new CosineAnnealingSchedule(0.1, 8), 4, startFactor: 0.25),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        JsonElement[] rates = [.. c.GetProperty("rates").EnumerateArray()];
        double[][] actual = GroupRates(schedule, rates.Length);
        for (int t = 0; t < rates.Length; t++)
            AssertClose(Doubles(rates[t]), actual[t], 1e-12, 1e-16, $"{name} t={t}");
    }

    /// <summary>
    /// Twelve float64 steps of the optimizer variants optimizer_fixtures.json lacks (plain SGD, SGD with dampening
    /// without Nesterov, plain, momentum and centered RMSprop, plain Adam, AdamW with AMSGrad) and of SGD over two groups with
    /// their own rate and decay under a StepLR. Tolerance 1e-12 relative, 1e-15 absolute on parameters of order 1: each
    /// step adds a few ulps (2.2e-16) that the later steps carry along, ≤ ~1e-14 after twelve.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void OptimizerTrajectoryMatchesPyTorch(int index)
    {
        JsonElement root = Fixture.Value.GetProperty("optimizers");
        JsonElement c = root.GetProperty("cases")[index];
        string name = c.GetProperty("optimizer").GetString()!;
        JsonElement h = c.GetProperty("hyper");
        double H(string key, double otherwise) => h.TryGetProperty(key, out JsonElement v) ? v.GetDouble() : otherwise;
        double[] p = Doubles(root.GetProperty("initial"));
        int n = p.Length;
        ILearningRateSchedule? schedule = null;
        Optimizer<double> optimizer = name switch
        {
            "SGD" => new Sgd<double>(n, H("lr", 0), H("momentum", 0), H("dampening", 0), weightDecay: H("weight_decay", 0)),
            "RMSprop" => new RmsProp<double>(n, H("lr", 0), H("alpha", 0), H("eps", 0), H("weight_decay", 0), H("momentum", 0), H("centered", 0) != 0),
            "Adam" => new Adam<double>(n, H("lr", 0), H("beta1", 0), H("beta2", 0), H("eps", 0)),
            "AdamW" => new AdamW<double>(n, H("lr", 0), H("beta1", 0), H("beta2", 0), H("eps", 0), H("weight_decay", 0), H("amsgrad", 0) != 0),
            "SGD-groups" => new Sgd<double>(n, 0.05, 0.8, groups: [new ParameterGroup(0, 6, 0.05, 0.1), new ParameterGroup(6, 4, 0.2, 0.0)]),
            _ => throw new ArgumentOutOfRangeException(nameof(index), name, "unknown case"),
        };
        if (name == "SGD-groups") schedule = new StepSchedule(0.05, 4, 0.5);
        JsonElement[] grads = [.. root.GetProperty("gradients").EnumerateArray()];
        JsonElement[] trajectory = [.. c.GetProperty("trajectory").EnumerateArray()];
        Assert.Equal(12, trajectory.Length);
        for (int t = 0; t < trajectory.Length; t++)
        {
            if (schedule is not null) optimizer.LearningRate = schedule.LearningRate(t);
            optimizer.Step(p, Doubles(grads[t]));
            AssertClose(Doubles(trajectory[t]), p, 1e-12, 1e-15, $"case {index} ({name}) step {t + 1}");
        }
    }

    /// <summary>
    /// clip_grad_norm_ (clipped, not clipped, a zero gradient, max_norm 0) and clip_grad_value_ over three tensors of
    /// 4, 6 and 3 elements, as one flat buffer. Float: PyTorch sums the squares in float (per tensor, then the norm of
    /// the norms) where FastNN sums in double, a few float ulps apart (≤ ~8·2⁻²⁴ ≈ 5e-7 with the coefficient and the
    /// product): 1e-6 relative. Double: the same few ulps of 2⁻⁵³: 1e-14. Clamping is exact in both.
    /// </summary>
    [Theory]
    [InlineData("float")]
    [InlineData("double")]
    public void ClippingMatchesPyTorch(string type)
    {
        double rtol = type == "float" ? 1e-6 : 1e-14;
        JsonElement[] cases = [.. Fixture.Value.GetProperty("clipping").EnumerateArray().Where(c => c.GetProperty("dtype").GetString() == (type == "float" ? "float32" : "float64"))];
        Assert.Equal(5, cases.Length);
        foreach (JsonElement c in cases)
        {
            string name = c.GetProperty("name").GetString()!;
            double limit = c.GetProperty("limit").GetDouble();
            bool byNorm = c.GetProperty("how").GetString() == "norm";
            double[] g = Doubles(c.GetProperty("gradients")), expected = Doubles(c.GetProperty("clipped"));
            double[] actual;
            double norm = double.NaN;
            if (type == "float")
            {
                float[] f = [.. g.Select(v => (float)v)];
                if (byNorm) norm = GradientClipping.ClipByGlobalNorm<float>(f, limit);
                else GradientClipping.ClipByValue<float>(f, limit);
                actual = [.. f.Select(v => (double)v)];
            }
            else
            {
                actual = (double[])g.Clone();
                if (byNorm) norm = GradientClipping.ClipByGlobalNorm<double>(actual, limit);
                else GradientClipping.ClipByValue<double>(actual, limit);
            }
            AssertClose(expected, actual, byNorm ? rtol : 0, 0, $"{type} {name}");
            if (byNorm)
                AssertClose([c.GetProperty("norm").GetDouble()], [norm], rtol, 0, $"{type} {name} norm");
        }
    }

    /// <summary>
    /// nn.BatchNorm1d(4, eps=1e-3, momentum=0.3) from set parameters and running statistics: three training batches
    /// (5, 3 and 2 rows: the running variance takes the unbiased n/(n − 1) variance) then an evaluation batch. Double:
    /// a mean and variance over ≤ 5 rows and a square root are a few ulps, carried through three momentum updates:
    /// 1e-12 relative, 1e-13 absolute (outputs and statistics of order 1).
    /// </summary>
    [Fact]
    public void BatchNormWithOwnEpsAndMomentumMatchesPyTorchOverSeveralBatches()
    {
        JsonElement bn = Fixture.Value.GetProperty("batchnorm");
        int features = bn.GetProperty("features").GetInt32();
        var layer = new BatchNorm1d<double>(features, bn.GetProperty("eps").GetDouble(), bn.GetProperty("momentum").GetDouble());
        var model = new Sequential<double>([layer], 5);
        foreach (string name in new[] { "weight", "bias", "running_mean", "running_var" })
            model.SetTensor("0." + name, Doubles(bn.GetProperty(name)));
        model.SetTensor("0.num_batches_tracked", [0.0]);
        foreach (JsonElement step in bn.GetProperty("steps").EnumerateArray())
        {
            int batch = step.GetProperty("batch").GetInt32();
            model.Training = step.GetProperty("training").GetBoolean();
            string what = $"{(model.Training ? "training" : "evaluation")} batch of {batch}";
            AssertClose(Doubles(step.GetProperty("output")), model.Forward(Doubles(step.GetProperty("input")), batch), 1e-12, 1e-13, what + " output");
            AssertClose(Doubles(step.GetProperty("running_mean")), model.Tensor("0.running_mean"), 1e-12, 1e-13, what + " running_mean");
            AssertClose(Doubles(step.GetProperty("running_var")), model.Tensor("0.running_var"), 1e-12, 1e-13, what + " running_var");
            Assert.Equal(step.GetProperty("num_batches_tracked").GetInt32(), model.Tensor("0.num_batches_tracked")[0]);
        }
    }

    /// <summary>
    /// F.huber_loss with δ = 0.5 and δ = 2 (the layer fixtures cover δ = 1): mean loss and gradient over a 3×4
    /// prediction, both sides of δ. Double, one pass of ≤ 12 terms: 1e-13 relative, 1e-17 absolute.
    /// </summary>
    [Fact]
    public void HuberWithOwnDeltaMatchesPyTorch()
    {
        foreach (JsonElement c in Fixture.Value.GetProperty("huber").EnumerateArray())
        {
            double delta = c.GetProperty("delta").GetDouble();
            double[] prediction = Doubles(c.GetProperty("prediction")), target = Doubles(c.GetProperty("target"));
            var gradient = new double[prediction.Length];
            double loss = new HuberLoss<double>(delta).Compute(prediction, target, gradient, c.GetProperty("batch").GetInt32());
            AssertClose([c.GetProperty("loss").GetDouble()], [loss], 1e-13, 0, $"δ = {delta} loss");
            AssertClose(Doubles(c.GetProperty("gradient")), gradient, 1e-13, 1e-17, $"δ = {delta} gradient");
        }
    }

    /// <summary>
    /// The same kind of trajectories in float: SGD (Nesterov, decay), Adam (AMSGrad, decay), AdamW and RMSprop (centered,
    /// momentum) over twelve steps from the float64 inputs rounded to float, against torch's float32 run. θ is rounded
    /// to float at every step on either side and the sides round the update's few operations differently (FastNN folds
    /// the scalars in double): up to ~2 half-ulps (u = 2⁻²⁴ ≈ 6e-8) of θ a step, 24u ≈ 1.5e-6 after twelve, relative to
    /// |θ| and as an absolute floor for elements that passed near zero.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FloatTrajectoryMatchesPyTorchFloat32(int index)
    {
        JsonElement root = Fixture.Value.GetProperty("optimizers");
        JsonElement c = Fixture.Value.GetProperty("float32")[index];
        string name = c.GetProperty("optimizer").GetString()!;
        JsonElement h = c.GetProperty("hyper");
        double H(string key, double otherwise) => h.TryGetProperty(key, out JsonElement v) ? v.GetDouble() : otherwise;
        float[] p = [.. Doubles(root.GetProperty("initial")).Select(v => (float)v)];
        int n = p.Length;
        Optimizer<float> optimizer = name switch
        {
            "SGD" => new Sgd<float>(n, H("lr", 0), H("momentum", 0), H("dampening", 0), H("nesterov", 0) != 0, H("weight_decay", 0)),
            "RMSprop" => new RmsProp<float>(n, H("lr", 0), H("alpha", 0), H("eps", 0), H("weight_decay", 0), H("momentum", 0), H("centered", 0) != 0),
            "Adam" => new Adam<float>(n, H("lr", 0), H("beta1", 0), H("beta2", 0), H("eps", 0), H("weight_decay", 0), H("amsgrad", 0) != 0),
            "AdamW" => new AdamW<float>(n, H("lr", 0), H("beta1", 0), H("beta2", 0), H("eps", 0), H("weight_decay", 0), H("amsgrad", 0) != 0),
            _ => throw new ArgumentOutOfRangeException(nameof(index), name, "unknown case"),
        };
        JsonElement[] grads = [.. root.GetProperty("gradients").EnumerateArray()];
        JsonElement[] trajectory = [.. c.GetProperty("trajectory").EnumerateArray()];
        const double Tolerance = 24 * 5.9604644775390625e-8;
        for (int t = 0; t < trajectory.Length; t++)
        {
            optimizer.Step(p, [.. Doubles(grads[t]).Select(v => (float)v)]);
            AssertClose(Doubles(trajectory[t]), [.. p.Select(v => (double)v)], Tolerance, Tolerance, $"float {name} step {t + 1}");
        }
    }

    /// <summary>
    /// A whole Trainer.Fit against the same loop written in PyTorch: Linear(3, 4)-Tanh-Linear(4, 1), MSE plus an L2
    /// penalty (λ = 0.02) on the weights only, gradients clipped to norm 0.5, SGD with Nesterov momentum and weight decay
    /// on the weights only (ParameterGroup.DecayWeightsOnly), StepLR per epoch, 10 rows in dataset order in batches of 4,
    /// 4 and 2, 4 epochs. This pins the order of penalty, clipping, schedule and step and the reported epoch objective.
    /// Double: twelve steps of a few hundred operations each, each a few ulps: 1e-12 relative, 1e-14 absolute.
    /// </summary>
    [Fact]
    public void TrainerFitMatchesAPyTorchLoop()
    {
        JsonElement loop = Fixture.Value.GetProperty("loop");
        (Sequential<double> model, Dataset<double> rows, TrainerOptions options) = LoopSetup(loop);
        var optimizer = new Sgd<double>(model.Parameters.Length, 0.1, 0.9, nesterov: true, weightDecay: 0.01,
            groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));
        var trainer = new Trainer<double>(model, new MseLoss<double>(), optimizer, TaskKind.Regression, options)
        {
            Regularizer = new L2Penalty<double>(loop.GetProperty("l2").GetDouble()),
            MaxGradientNorm = loop.GetProperty("max_norm").GetDouble(),
            Schedule = new StepSchedule(0.1, 2, 0.5),
        };
        AssertLoop(loop, model, trainer.Fit(rows));
    }

    /// <summary>
    /// The same rows and net through the trainer's direct path (nothing between backward and step, so the backward
    /// pass writes the gradients): AdamW with decay on the weights only, and a 3-step LinearLR warm-up then a cosine over
    /// 9 (SequentialLR) advanced every step (ScheduleEachStep). Tolerance as above.
    /// </summary>
    [Fact]
    public void TrainerFitStepScheduledMatchesAPyTorchLoop()
    {
        JsonElement loop = Fixture.Value.GetProperty("loop_step");
        (Sequential<double> model, Dataset<double> rows, TrainerOptions options) = LoopSetup(loop);
        var optimizer = new AdamW<double>(model.Parameters.Length, 0.01, 0.9, 0.99, 1e-8, 0.05,
            groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));
        var trainer = new Trainer<double>(model, new MseLoss<double>(), optimizer, TaskKind.Regression, options)
        {
            Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, 9), 3, startFactor: 0.25),
            ScheduleEachStep = true,
        };
        AssertLoop(loop, model, trainer.Fit(rows));
    }

    /// <summary>The loops' net with the fixture's initial tensors, their rows, and the loop settings (4 epochs of 4-row batches in order).</summary>
    private static (Sequential<double>, Dataset<double>, TrainerOptions) LoopSetup(JsonElement loop)
    {
        JsonElement shared = Fixture.Value.GetProperty("loop");
        int Int(string key) => shared.GetProperty(key).GetInt32();
        int inputs = Int("inputs"), hidden = Int("hidden");
        var model = new Sequential<double>([new Dense<double>(inputs, hidden), new Tanh<double>(hidden), new Dense<double>(hidden, 1)], Int("batch"));
        foreach (JsonProperty tensor in loop.GetProperty("initial").EnumerateObject())
            model.SetTensor(tensor.Name, Doubles(tensor.Value));
        var rows = new Dataset<double>(Doubles(shared.GetProperty("features")), Doubles(shared.GetProperty("targets")), inputs);
        return (model, rows, new TrainerOptions { Epochs = Int("epochs"), BatchSize = Int("batch"), Shuffle = false });
    }

    private static void AssertLoop(JsonElement loop, Sequential<double> model, TrainingHistory history)
    {
        AssertClose(Doubles(loop.GetProperty("epoch_losses")), [.. history.Epochs.Select(e => e.TrainLoss)], 1e-12, 1e-14, "epoch objectives");
        foreach (JsonProperty tensor in loop.GetProperty("final").EnumerateObject())
            AssertClose(Doubles(tensor.Value), model.Tensor(tensor.Name), 1e-12, 1e-14, "final " + tensor.Name);
    }

    private static double[][] GroupRates(ILearningRateSchedule schedule, int steps)
    {
        var optimizer = new Sgd<double>(2, 0.1, groups: [new ParameterGroup(0, 1), new ParameterGroup(1, 1, LearningRate: 0.03)]);
        var rates = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            double[] p = [0, 0];
            optimizer.ApplySchedule(schedule, t);
            optimizer.Step(p, [1.0, 1.0]);
            rates[t] = [-p[0], -p[1]];
        }
        return rates;
    }
}
