using FastNN.Data;
using FastNN.Gradients;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// A batch whose BatchNorm variance overflows (float: squares past 3.4e38) leaves a finite loss, as the normalized
/// values are then 0, but a running variance of infinity, which no model file holds: the trainer refuses that step as it
/// refuses a non-finite loss, so that the run ends there, not when ModelFile.Save refuses the model at the end. A step
/// refused or skipped leaves the running statistics as they were, as it leaves the parameters.
/// </summary>
public class RunningVarianceDivergenceTests
{
    // Dense(2, 3) → BatchNorm1d(3) → Dense(3, 1): '1.running_var' is the variance watched.
    private static Trainer<float> NewTrainer(TrainerOptions? options = null)
    {
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(3).BatchNorm().Dense(1).Build(maxBatch: 4, seed: 1);
        return new Trainer<float>(model, new MseLoss<float>(), new Sgd<float>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression, options);
    }

    // Four rows whose first feature is ±1e25: each hidden unit's squares overflow, their mean stays 0.
    private static readonly float[] Huge = [1e25f, 0.5f, -1e25f, 0.25f, 1e25f, -0.5f, -1e25f, 1];
    private static readonly float[] Targets = [1, 0, 1, 0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // clipping reads the gradients before the update: the step's other path
    public void AStepWhoseRunningVarianceOverflowsIsRefusedNamingTheTensorAndTheStep(bool clip)
    {
        // Before: the step was taken (the loss is finite) and the model could no longer be saved.
        Trainer<float> trainer = NewTrainer();
        if (clip)
            trainer.MaxGradientNorm = 1;
        trainer.TrainStep(new float[] { 0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f }, Targets, 4);
        float[] parameters = trainer.Model.Parameters.ToArray(), state = trainer.Model.State.ToArray();

        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep(Huge, Targets, 4));
        Assert.Contains("diverged at step 1", error.Message);
        Assert.Contains("'1.running_var'", error.Message);
        Assert.Equal(1, trainer.Steps);
        // The step is not taken: the parameters and the running statistics are as the last step left them, and save.
        Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
        Assert.Equal(state, trainer.Model.State.ToArray());
        SavesAndLoads(trainer.Model);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStepWhoseLossIsNotFiniteLeavesTheRunningStatisticsAsTheyWere(bool clip)
    {
        // A NaN feature makes the loss NaN: the step was refused, but its forward pass had already made the running
        // statistics NaN and counted the batch, so the model could no longer be saved, nor predict in evaluation mode.
        Trainer<float> trainer = NewTrainer();
        if (clip)
            trainer.MaxGradientNorm = 1;
        trainer.TrainStep(new float[] { 0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f }, Targets, 4);
        float[] state = trainer.Model.State.ToArray();

        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep(Poisoned, Targets, 4));
        Assert.Contains("objective is NaN at step 1", error.Message);
        Assert.Equal(state, trainer.Model.State.ToArray());
        SavesAndLoads(trainer.Model);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADoubleModelsBatchNormInsideABlockIsWatchedAndNamed(bool concat)
    {
        // The variance watched is found at any depth, in a double model too (squares past 1.8e308), under its full name,
        // and the state is put back. The body's Dense scales by 1e10, so that its BatchNorm sees 1e155 (squares past
        // double's range) while the block's skip carries 1e145 on to a finite loss.
        ILayer<double>[] body = [new Dense<double>(3, 3), new BatchNorm1d<double>(3)];
        Sequential<double> model = new([new Dense<double>(2, 3), concat ? new Concat<double>(body) : new Residual<double>(body),
            new Dense<double>(concat ? 6 : 3, 1)], maxBatch: 4, seed: 1);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression);
        ParameterTensor scaled = model.ParameterTensors.Single(p => p.Name == "1.body.0.weight");
        foreach (ref double w in model.Parameters.Slice(scaled.Offset, scaled.Length))
            w *= 1e10;
        trainer.TrainStep(new double[] { 0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8 }, [1, 0, 1, 0], 4);
        double[] state = model.State.ToArray();

        var error = Assert.Throws<InvalidOperationException>(() =>
            trainer.TrainStep(new double[] { 1e145, 0.5, -1e145, 0.25, 1e145, -0.5, -1e145, 1 }, [1, 0, 1, 0], 4));
        Assert.Contains("diverged at step 1", error.Message);
        Assert.Contains("'1.body.1.running_var'", error.Message);
        Assert.Equal(state, model.State.ToArray());
    }

    [Fact]
    public void FitStopsAtTheStepWhoseRunningVarianceOverflows()
    {
        // Three batches in file order, the third overflowing: Fit throws there, as for a non-finite loss.
        float[] features = [.. Enumerable.Range(0, 16).Select(i => (i % 5 - 2) / 4f), .. Huge];
        var data = new Dataset<float>(features, [.. Targets, .. Targets, .. Targets], 2);
        Trainer<float> trainer = NewTrainer(new TrainerOptions { Epochs = 2, BatchSize = 4, Shuffle = false });

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        Assert.Contains("diverged at step 2", error.Message);
        Assert.Equal((2, 0), (trainer.Steps, trainer.CompletedEpochs));
        Assert.False(trainer.Model.Training);
    }

    [Fact]
    public void AStepTheGuardSkipsLeavesTheRunningStatisticsAsTheyWere()
    {
        // A NaN feature makes the gradients NaN, so the guard skips the step, but its forward pass had already made the
        // running statistics NaN (for every later step: the running average never brings them back) and counted the batch.
        Trainer<float> trainer = NewTrainer();
        trainer.Guard = new NonFiniteGradientGuard<float>(trainer.Model.ParameterTensors, NonFiniteGradientPolicy.SkipStep);
        float[] state = trainer.Model.State.ToArray();

        Assert.True(float.IsNaN((float)trainer.TrainStep(Poisoned, Targets, 4)));
        Assert.Equal((1, 0L), (trainer.Guard.SkippedSteps, trainer.Steps));
        Assert.Equal(state, trainer.Model.State.ToArray());
        trainer.TrainStep(new float[] { 0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f }, Targets, 4);
        SavesAndLoads(trainer.Model);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the overload that reads the features in place
    public void AStepWhoseForwardPassThrowsAfterABatchNormLeavesTheRunningStatisticsAsTheyWere(bool inPlace)
    {
        // Before: only a step that threw after its forward pass was put back; a layer of your own after a BatchNorm that
        // refuses its input (a NaN feature made it NaN) threw from within the forward pass, after the BatchNorm had updated its running statistics
        // and counted the batch, which the refused step left so.
        Sequential<float> model = new([new Dense<float>(2, 3), new BatchNorm1d<float>(3), new Dense<float>(3, 1), new RefusingLayer(1)], maxBatch: 4, seed: 1);
        var trainer = new Trainer<float>(model, new MseLoss<float>(), new Sgd<float>(model.Parameters.Length, learningRate: 0.01), TaskKind.Regression);
        float[] x = [0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f];
        trainer.TrainStep(x, Targets, 4);
        float[] state = model.State.ToArray();

        x[0] = float.NaN;
        Assert.Throws<ArgumentException>(() => inPlace ? trainer.TrainStep(x.AsMemory(), Targets, 4) : trainer.TrainStep(x, Targets, 4));
        Assert.Equal(1, trainer.Steps);
        Assert.Equal(state, model.State.ToArray());
    }

    // A layer of your own (y = x) that refuses, in its forward pass, a batch holding an input that is not finite.
    private sealed class RefusingLayer(int features) : ILayer<float>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<float> buffers) { }
        public void Forward(Span<float> y, ReadOnlySpan<float> x, LayerBuffers<float> buffers, int batch)
        {
            foreach (float v in x)
                if (!float.IsFinite(v)) throw new ArgumentException($"input {v} is not finite", nameof(x));
            x.CopyTo(y);
        }
        public void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, LayerBuffers<float> buffers, int batch) => dy.CopyTo(dx);
    }

    [Fact]
    public void ARunWhoseVariancesStayFiniteSavesAsBefore()
    {
        // The check refuses no ordinary step: 200 steps of a BatchNorm model, then a save.
        Trainer<float> trainer = NewTrainer();
        var random = new Random(2);
        float[] x = new float[8];
        for (int step = 0; step < 200; step++)
        {
            for (int i = 0; i < x.Length; i++)
                x[i] = (float)(4 * random.NextDouble() - 2);
            trainer.TrainStep(x, Targets, 4);
        }
        Assert.Equal(200, trainer.Steps);
        SavesAndLoads(trainer.Model);
    }

    // A NaN in the first row: the batch's mean, variance, loss and gradients are NaN.
    private static readonly float[] Poisoned = [float.NaN, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f];

    private static void SavesAndLoads(Sequential<float> model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastnn-variance-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model);
            Assert.Equal(model.State.ToArray(), ModelFile.Load<float>(path).Model.State.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
