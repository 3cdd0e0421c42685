using System.Numerics;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// Model files and checkpoints of a model holding a layer of your own inside a Residual or Concat body, as the docs
/// promise for one at the top: saved without the architecture, read back into a model you build. Both used to throw
/// NotSupportedException from the save, since only the top-level layers were asked for a description.
/// </summary>
public class UserLayerFileTests
{
    /// <summary>y = a ⊙ x per feature, a user layer with one parameter tensor.</summary>
    private sealed class UserScale<T>(int features) : ILayer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [new("scale", [features], ParameterKind.NormScale)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;

        public void Initialize(LayerBuffers<T> buffers)
        {
            foreach (ref T a in buffers.Parameters)
                a = T.CreateTruncating(buffers.Context.Random.NextDouble(0.5, 1.5));
        }

        public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
        {
            for (int i = 0; i < batch * features; i++)
                y[i] = buffers.Parameters[i % features] * x[i];
        }

        public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
        {
            for (int i = 0; i < batch * features; i++)
            {
                buffers.Gradients[i % features] += dy[i] * x[i];
                if (!dx.IsEmpty)
                    dx[i] = dy[i] * buffers.Parameters[i % features];
            }
        }
    }

    private static Sequential<float> InResidual(ulong seed) =>
        new SequentialBuilder<float>(3).Dense(4).Relu().Residual(b => b.Dense(4).Add(new UserScale<float>(4))).Dense(2).Build(maxBatch: 8, seed);

    private static Sequential<float> InConcat(ulong seed) =>
        new SequentialBuilder<float>(3).Dense(4).Concat(b => b.Add(new UserScale<float>(4))).Dense(2).Build(maxBatch: 8, seed);

    [Fact]
    public void AModelWithAUserLayerInsideAResidualBodyIsSavedWithoutItsArchitectureAndReadBackIntoAModelYouBuild()
    {
        using var folder = new TempFolder();
        string path = folder.File("user.safetensors");
        Sequential<float> model = InResidual(seed: 1);
        var info = new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["no", "yes"], Input = new Standardizer([1, 2, 3], [4, 5, 6]) };
        ModelFile.Save(path, model, info);

        Sequential<float> same = InResidual(seed: 2);
        Assert.NotEqual(model.Parameters.ToArray(), same.Parameters.ToArray());
        ModelFile.LoadWeights(path, same);
        Assert.Equal(model.Parameters.ToArray(), same.Parameters.ToArray());
        Assert.Contains("2.body.1.scale", model.ParameterTensors.Select(t => t.Name));

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Contains("no fastnn.architecture", e.Message);
        Assert.Contains("ModelFile.ReadInfo(path, model)", e.Message);
        Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(path));

        // The info recorded with it is read back against the model built for it, and checked against its widths.
        ModelInfo read = ModelFile.ReadInfo(path, same);
        Assert.Equal(TaskKind.MultiClassClassification, read.Task);
        Assert.Equal(["no", "yes"], read.ClassLabels);
        Assert.Equal([1.0, 2, 3], read.Input!.Means.ToArray());
        Assert.Equal([4.0, 5, 6], read.Input.Scales.ToArray());
        var wide = new SequentialBuilder<float>(4).Dense(2).Build(maxBatch: 1);
        var misfit = Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(path, wide));
        Assert.Contains("the model takes 4 inputs", misfit.Message);
    }

    [Fact]
    public void ToJsonNamesTheUserLayerByItsPathInsideTheBody()
    {
        var e = Assert.Throws<NotSupportedException>(() => InResidual(seed: 1).ToJson());
        Assert.Equal("Layer 2.body.1 (UserScale) is not a built-in layer and has no JSON description.", e.Message);
        var top = Assert.Throws<NotSupportedException>(() => new SequentialBuilder<float>(4).Dense(4).Add(new UserScale<float>(4)).Build(2).ToJson());
        Assert.Equal("Layer 1 (UserScale) is not a built-in layer and has no JSON description.", top.Message);
    }

    [Fact]
    public void ACheckpointOfAModelWithAUserLayerInsideAConcatBodyResumesIntoATrainerBuiltTheSameWay()
    {
        var random = new FastRandom(3);
        float[] x = [.. Enumerable.Range(0, 16 * 3).Select(_ => (float)random.NextDouble(-1, 1))];
        float[] y = [.. Enumerable.Range(0, 16).Select(r => (float)(r % 2))];
        var data = new Dataset<float>(x, y, 3);
        Trainer<float> NewTrainer(ulong seed)
        {
            Sequential<float> model = InConcat(seed);
            return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Adam<float>(model.Parameters.Length, 0.01),
                TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 2, BatchSize = 8, Seed = 4 });
        }

        using var folder = new TempFolder();
        string path = folder.File("user.ckpt.safetensors");
        Trainer<float> trained = NewTrainer(seed: 1);
        trained.Fit(data);
        Checkpoint.Save(path, trained);

        Trainer<float> resumed = NewTrainer(seed: 2);
        Checkpoint.Load(path, resumed);
        Assert.Equal(trained.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(trained.CompletedEpochs, resumed.CompletedEpochs);
    }
}
