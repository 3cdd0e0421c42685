using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Models;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// The fused training step (Dense + activation pairs, gradients overwritten instead of zeroed and summed) against the
/// step taken in order through the plain layer API: every parameter, gradient and optimizer state must end with the
/// same values. The reference model has a pass-through user layer after every Dense layer, so
/// its chain fuses nothing, and it runs ZeroGrad, Forward, the loss, Backward and Optimizer.Step one after another.
/// </summary>
public class FusedStepTests
{
    private const int Batch = 24, Inputs = 12, Classes = 5;

    /// <summary>Architectures covering every path of the fused chain: pairs with ReLU, sigmoid and tanh, a Dense layer without bias, one with no activation after it, layers with parameters that are not Dense (PReLU, LayerNorm, a residual block).</summary>
    public static TheoryData<string> Architectures => ["relu", "mixed", "nobias", "other"];

    /// <summary>The built-in optimizers, with the options that change their update, and groups.</summary>
    public static TheoryData<string> Optimizers => [.. OptimizerNames];

    private static readonly string[] OptimizerNames = ["adamw", "adam-l2-amsgrad", "sgd-nesterov", "rmsprop-centered", "adamw-groups"];

    private static List<ILayer<T>> Layers<T>(string architecture, bool breakFusion) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var layers = new List<ILayer<T>>();
        void Dense(int inputs, int outputs, bool bias = true)
        {
            layers.Add(new Dense<T>(inputs, outputs, bias));
            if (breakFusion)
                layers.Add(new IdentityLayer<T>(outputs));
        }
        switch (architecture)
        {
            case "relu":
                Dense(Inputs, 16); layers.Add(new Relu<T>(16));
                Dense(16, 16); layers.Add(new Relu<T>(16));
                Dense(16, Classes);
                break;
            case "mixed":
                Dense(Inputs, 16); layers.Add(new Sigmoid<T>(16));
                Dense(16, 8); layers.Add(new Tanh<T>(8));
                Dense(8, 8); layers.Add(new Relu<T>(8));
                Dense(8, Classes); layers.Add(new Tanh<T>(Classes));
                break;
            case "nobias":
                Dense(Inputs, 16, bias: false); layers.Add(new Relu<T>(16));
                Dense(16, 16, bias: false);
                Dense(16, Classes);
                break;
            case "other":
                Dense(Inputs, 16); layers.Add(new PRelu<T>(16, 16, 0.25));
                layers.Add(new LayerNorm<T>(16));
                layers.Add(new Residual<T>([new Dense<T>(16, 16), new Relu<T>(16), new Dense<T>(16, 16)]));
                Dense(16, Classes);
                break;
        }
        return layers;
    }

    private static Optimizer<T> Optimizer<T>(string name, Sequential<T> model) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = model.Parameters.Length;
        return name switch
        {
            "adamw" => new AdamW<T>(n, learningRate: 1e-2),
            "adam-l2-amsgrad" => new Adam<T>(n, learningRate: 1e-2, weightDecay: 1e-2, amsGrad: true),
            "sgd-nesterov" => new Sgd<T>(n, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3),
            "rmsprop-centered" => new RmsProp<T>(n, learningRate: 1e-3, momentum: 0.5, centered: true),
            // Groups that cut across layers and leave a gap, so layer ranges meet them in every way.
            "adamw-groups" => new AdamW<T>(n, learningRate: 1e-2, groups: [new ParameterGroup(0, n / 3, LearningRate: 2e-2), new ParameterGroup(n / 3 + 7, n / 3, WeightDecay: 0.3)]),
            _ => throw new ArgumentException(name),
        };
    }

    private static (T[] Features, T[] Labels) Data<T>(int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var features = new T[Batch * Inputs];
        for (int i = 0; i < features.Length; i++)
            features[i] = T.CreateTruncating(random.NextDouble() * 4 - 2);
        var labels = new T[Batch];
        for (int i = 0; i < Batch; i++)
            labels[i] = T.CreateTruncating(random.Next(Classes));
        return (features, labels);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void FusedTrainerStepMatchesTheStepTakenInOrderFloat(string architecture)
    {
        foreach (string optimizer in OptimizerNames)
            AssertSameSteps<float>(architecture, optimizer);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void FusedTrainerStepMatchesTheStepTakenInOrderDouble(string optimizer) => AssertSameSteps<double>("mixed", optimizer);

    private static void AssertSameSteps<T>(string architecture, string optimizerName) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var fused = new Sequential<T>(Layers<T>(architecture, breakFusion: false), Batch, seed: 7);
        var reference = new Sequential<T>(Layers<T>(architecture, breakFusion: true), Batch, seed: 7);
        fused.Parameters.CopyTo(reference.Parameters);
        Optimizer<T> fusedOptimizer = Optimizer(optimizerName, fused), referenceOptimizer = Optimizer(optimizerName, reference);
        var loss = new SoftmaxCrossEntropyLoss<T>();
        var trainer = new Trainer<T>(fused, loss, fusedOptimizer, TaskKind.MultiClassClassification);
        var gradient = new T[Batch * Classes];
        reference.ComputeInputGradient = false;
        for (int step = 0; step < 4; step++)
        {
            (T[] features, T[] labels) = Data<T>(step);
            double fusedLoss = step % 2 == 0 ? trainer.TrainStep(features.AsMemory(), labels, Batch) : trainer.TrainStep(features, labels, Batch);

            reference.ZeroGrad();
            T referenceLoss = loss.Compute(reference.Forward(features, Batch), labels, gradient, Batch);
            reference.Backward(gradient, Batch);
            referenceOptimizer.Step(reference.Parameters, reference.Gradients);

            Assert.Equal(double.CreateTruncating(referenceLoss), fusedLoss);
            AssertEqual(reference.Gradients, fused.Gradients, $"{architecture}/{optimizerName} gradients after step {step}");
            AssertEqual(reference.Parameters, fused.Parameters, $"{architecture}/{optimizerName} parameters after step {step}");
        }
        OptimizerState<T> expected = referenceOptimizer.SaveState(), actual = fusedOptimizer.SaveState();
        Assert.Equal(expected.StepCount, actual.StepCount);
        foreach ((string name, T[] buffer) in expected.Buffers)
            AssertEqual(buffer, actual.Buffers[name], $"{architecture}/{optimizerName} state {name}");
    }

    [Fact]
    public void TheFusedChainsBackwardPassAccumulatesAsTheUnfusedOne()
    {
        // Sequential.Backward on its own: gradients summed over two passes, and the input gradient.
        var fused = new Sequential<float>(Layers<float>("mixed", breakFusion: false), Batch, seed: 3);
        var reference = new Sequential<float>(Layers<float>("mixed", breakFusion: true), Batch, seed: 3);
        fused.Parameters.CopyTo(reference.Parameters);
        var loss = new SoftmaxCrossEntropyLoss<float>();
        var gradient = new float[Batch * Classes];
        for (int pass = 0; pass < 2; pass++)
        {
            (float[] features, float[] labels) = Data<float>(10 + pass);
            loss.Compute(fused.Forward(features, Batch), labels, gradient, Batch);
            fused.Backward(gradient, Batch);
            loss.Compute(reference.Forward(features, Batch), labels, gradient, Batch);
            reference.Backward(gradient, Batch);
            AssertEqual(reference.Gradients, fused.Gradients, $"gradients after pass {pass}");
            AssertEqual(reference.InputGradient(Batch), fused.InputGradient(Batch), $"input gradient after pass {pass}");
        }
    }

    [Fact]
    public void AStepWithAMonitorMatchesTheFusedStep()
    {
        // A monitor needs every gradient before the step, so that trainer takes the step in order; both must agree.
        var fusedModel = new Sequential<float>(Layers<float>("mixed", breakFusion: false), Batch, seed: 9);
        var monitoredModel = new Sequential<float>(Layers<float>("mixed", breakFusion: false), Batch, seed: 9);
        var fused = new Trainer<float>(fusedModel, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(fusedModel.Parameters.Length), TaskKind.MultiClassClassification);
        var monitored = new Trainer<float>(monitoredModel, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(monitoredModel.Parameters.Length), TaskKind.MultiClassClassification)
        {
            Monitor = new GradientMonitor<float>(monitoredModel.ParameterTensors),
        };
        for (int step = 0; step < 4; step++)
        {
            (float[] features, float[] labels) = Data<float>(step);
            Assert.Equal(monitored.TrainStep(features, labels, Batch), fused.TrainStep(features, labels, Batch));
        }
        AssertEqual(monitoredModel.Parameters, fusedModel.Parameters, "parameters");
        AssertEqual(monitoredModel.Gradients, fusedModel.Gradients, "gradients");
    }

    [Fact]
    public void ANonFiniteLossThrowsBeforeTheFusedStepChangesAnything()
    {
        var model = new Sequential<double>([new Dense<double>(2, 1)], 4, seed: 1);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new AdamW<double>(model.Parameters.Length), TaskKind.Regression);
        double[] before = model.Parameters.ToArray();
        Assert.Throws<InvalidOperationException>(() => trainer.TrainStep([double.PositiveInfinity, 1, 0, 0, 0, 0, 0, 0], [1.0, 0, 0, 0], 4));
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, trainer.Steps);
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void FusedStepAllocatesNothing()
    {
        var model = new Sequential<float>(Layers<float>("other", breakFusion: false), Batch, seed: 2);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length), TaskKind.MultiClassClassification);
        (float[] features, float[] labels) = Data<float>(0);
        for (int i = 0; i < 20; i++)
            trainer.TrainStep(features.AsMemory(), labels, Batch);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int i = 0; i < 50; i++)
                trainer.TrainStep(features.AsMemory(), labels, Batch);
        }));
    }

    private static void AssertEqual<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Value equality: the same bits, but that a zero may be +0 on one side and −0 on the other.
            if (expected[i] != actual[i])
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}.");
        }
    }
}
