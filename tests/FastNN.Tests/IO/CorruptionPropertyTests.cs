using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastNN.Tests.IO;

/// <summary>A valid model file or checkpoint, damaged by one to three <see cref="Corruption"/>s.</summary>
public sealed record CorruptedFile(bool Checkpoint, Corruption[] Corruptions)
{
    public override string ToString() => $"{(Checkpoint ? "checkpoint" : "model file")}: {string.Join(", ", Corruptions.AsEnumerable())}";
}

public static class CorruptedFiles
{
    public static Arbitrary<CorruptedFile> Arbitrary() =>
        (from checkpoint in Gen.Elements(false, true)
         from count in Gen.Choose(1, 3)
         from corruptions in Gen.ArrayOf(Corruption.Generator, count)
         select new CorruptedFile(checkpoint, corruptions)).ToArbitrary();
}

/// <summary>
/// Every damaged file either loads correctly (the loaded tensors are exactly those the tests' own reader finds in the
/// file) or raises <see cref="ModelFileException"/> naming the file, leaving the model or trainer exactly as it was;
/// never another exception, and never an allocation beyond a small multiple of the file's size, whatever size the
/// damaged header claims. Each case runs <see cref="ModelFile.LoadWeights{T}"/>, <see cref="ModelFile.Load{T}"/> and
/// <see cref="Checkpoint.Load{T}"/> on the same bytes.
/// </summary>
public class CorruptionPropertyTests : IDisposable
{
    private static readonly byte[] ModelBytes, CheckpointBytes;
    private readonly TempFolder _folder = new();

    static CorruptionPropertyTests()
    {
        using var folder = new TempFolder();
        Trainer<float> trainer = NewTrainer(seed: 1);
        var x = IoModels.Input<float>(8, 3, 2);
        trainer.TrainStep(x, [0, 1, 1, 0, 1, 0, 0, 1], 8);
        ModelFile.Save(folder.File("m"), trainer.Model, new ModelInfo
        {
            Task = TaskKind.MultiClassClassification,
            ClassLabels = ["no", "yes"],
            Input = new FastNN.Data.Standardizer([1, 2, 3], [4, 5, 6]),
            FeatureNames = ["a", "b", "c"],
        });
        Checkpoint.Save(folder.File("c"), trainer);
        ModelBytes = File.ReadAllBytes(folder.File("m"));
        CheckpointBytes = File.ReadAllBytes(folder.File("c"));
    }

    private static Trainer<float> NewTrainer(ulong seed)
    {
        Sequential<float> model = new SequentialBuilder<float>(3).Dense(4).BatchNorm().Relu().Dropout(0.5).Dense(2).Build(maxBatch: 8, seed);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length),
            TaskKind.MultiClassClassification);
    }

    public void Dispose() => _folder.Dispose();

    [Property(MaxTest = 300, Arbitrary = [typeof(CorruptedFiles)])]
    public void ADamagedFileLoadsCorrectlyOrRaisesModelFileExceptionAndChangesNothing(CorruptedFile damage) => Check(damage);

    // Random damage rarely leaves a file intact but for one semantic edit (an optimizer of another type, a label list
    // of the wrong length): go through each header edit alone, with each of its first choices, on both files.
    [Fact]
    public void EachHeaderEditAloneLoadsCorrectlyOrRaisesModelFileExceptionAndChangesNothing()
    {
        foreach (bool checkpoint in new[] { false, true })
            for (int pick = 0; pick < 12; pick++)
                for (int value = 0; value < 12; value++)
                    Check(new CorruptedFile(checkpoint, [new Corruption("header", value, value, pick)]));
    }

    private void Check(CorruptedFile damage)
    {
        byte[] bytes = damage.Corruptions.Aggregate(damage.Checkpoint ? CheckpointBytes : ModelBytes, (file, c) => c.Apply(file));
        string path = _folder.File("damaged.safetensors");
        File.WriteAllBytes(path, bytes);
        var reference = SafetensorsReference.Decode(bytes);

        // Strict weights into an existing model.
        Trainer<float> trainer = NewTrainer(seed: 3);
        TrainerSnapshot before = TrainerSnapshot.Of(trainer);
        if (LoadOracle.Attempt(path, bytes, () => ModelFile.LoadWeights(path, trainer.Model)))
            LoadOracle.AssertLoaded(reference, trainer.Model);
        else
            Assert.Equal(before, TrainerSnapshot.Of(trainer));

        // A whole model from its architecture.
        SavedModel<float>? saved = null;
        if (LoadOracle.Attempt(path, bytes, () => saved = ModelFile.Load<float>(path)))
            LoadOracle.AssertLoaded(reference, saved!.Model);

        // A whole training run into a trainer.
        trainer = NewTrainer(seed: 4);
        before = TrainerSnapshot.Of(trainer);
        if (LoadOracle.Attempt(path, bytes, () => Checkpoint.Load(path, trainer)))
        {
            LoadOracle.AssertLoaded(reference, trainer.Model);
            foreach ((string name, float[] buffer) in trainer.Optimizer.SaveState().Buffers)
                Assert.Equal(reference!.Value.Tensors["optimizer." + name].Values(), buffer.Select(v => (double)v));
        }
        else
        {
            Assert.Equal(before, TrainerSnapshot.Of(trainer));
        }
    }
}
