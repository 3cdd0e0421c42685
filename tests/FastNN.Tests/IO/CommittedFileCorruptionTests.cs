using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.IO;

/// <summary>One of the committed files (model files FastNN and PyTorch wrote, checkpoints of older FastNN builds), damaged by one to three edits.</summary>
public sealed record DamagedCommittedFile(int File, object[] Damages)
{
    public byte[] Apply(byte[] bytes) => Damages.Aggregate(bytes, (b, d) => d is Corruption c ? c.Apply(b) : ((HostileEdit)d).Apply(b));

    public override string ToString() => $"{CommittedFileCorruptionTests.Files[File].Name}: {string.Join(", ", Damages.AsEnumerable())}";
}

public static class DamagedCommittedFiles
{
    public static Arbitrary<DamagedCommittedFile> Arbitrary() =>
        (from file in Gen.Choose(0, CommittedFileCorruptionTests.Files.Length - 1)
         from count in Gen.Choose(1, 3)
         from damages in Gen.ArrayOf(Gen.OneOf(Corruption.Generator.Select(c => (object)c), HostileEdit.Generator.Select(h => (object)h)), count)
         select new DamagedCommittedFile(file, damages)).ToArbitrary();
}

/// <summary>
/// The committed files, damaged every way <see cref="Corruption"/> and <see cref="HostileEdit"/> know, cut at every
/// length and with every bit of the header length flipped: every load (<see cref="ModelFile.LoadWeights{T}"/> into a
/// model of the file's architecture, <see cref="ModelFile.Load{T}"/>, <see cref="ModelFile.ReadInfo(string)"/> and, for
/// checkpoints, <see cref="Checkpoint.Load{T}"/> into a trainer set up as the saved run) either takes exactly what the
/// tests' own reader finds in a file that follows every rule, or raises <see cref="ModelFileException"/> naming the
/// file and leaves the model or trainer exactly as it was (see <see cref="LoadOracle"/>).
/// </summary>
public class CommittedFileCorruptionTests : IDisposable
{
    /// <summary>A committed file, its bytes, and a new model or trainer a load may be aimed at.</summary>
    public sealed record Committed(string Name, byte[] Bytes, Func<Sequential<float>> NewModel, Func<Trainer<float>>? NewTrainer);

    public static readonly Committed[] Files =
    [
        .. from side in new[] { "fastnn", "pytorch" }
           from model in new[] { "batchnorm_eval", "layernorm_prelu_dropout", "mlp_relu", "tanh_gelu" }
           from dtype in new[] { "f32", "f64" }
           select Model($"{side}/{model}_{dtype}", Fixture("safetensors", side, $"{model}_{dtype}.safetensors"), Fixture("safetensors", "fastnn", $"{model}_f32.safetensors")),
        new Committed("checkpoints/warmup_groups_before_parameters_f32", File.ReadAllBytes(CheckpointFile), () => CheckpointTrainer().Model, CheckpointTrainer),
        new Committed("checkpoints/paused_before_watch_f32", File.ReadAllBytes(Fixture("checkpoints", "paused_before_watch_f32.safetensors")),
            () => PausedTrainer().Model, PausedTrainer),
    ];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // A model of the file's architecture (read from FastNN's float file of it) for LoadWeights.
    private static Committed Model(string name, string path, string architecture) =>
        new(name, File.ReadAllBytes(path), () => ModelFile.Load<float>(architecture).Model, null);

    /// <summary>A trainer as the paused_before_watch fixture's run was set up (see EarlyStoppingResumeTests; its step hook is not saved).</summary>
    private static Trainer<float> PausedTrainer()
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(32).BatchNorm().Relu().Dropout(0.1).Dense(3).Build(maxBatch: 8, 1);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 0.01),
            TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 30, BatchSize = 8, Seed = 3, ValidationFraction = 0.4, Patience = 3, RestoreBest = true });
    }

    // The oracle's premise: every committed file, undamaged, loads every way it is meant to.
    [Fact]
    public void EveryCommittedFileLoadsUndamaged()
    {
        foreach (Committed file in Files)
            Assert.True(Check(file, file.Bytes), $"{file.Name} did not load");
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(DamagedCommittedFiles)])]
    public void ADamagedCommittedFileLoadsExactlyOrRaisesModelFileExceptionAndChangesNothing(DamagedCommittedFile damage)
    {
        Committed file = Files[damage.File];
        Check(file, damage.Apply(file.Bytes));
    }

    // Every length through the header and the first tensor bytes (where the cut falls in the length field, the JSON,
    // or a tensor), then every 13th, for the smallest file of each writer and a checkpoint; the property cuts the others
    // at random lengths.
    [Theory]
    [InlineData("pytorch/mlp_relu_f32")]
    [InlineData("fastnn/batchnorm_eval_f32")]
    [InlineData("checkpoints/warmup_groups_before_parameters_f32")]
    public void ACommittedFileCutAtEveryLengthIsRefused(string name)
    {
        Committed file = Files.Single(f => f.Name == name);
        int dataStart = 8 + SafetensorsReference.Split(file.Bytes).Header.Length;
        for (int length = 0; length < file.Bytes.Length; length += length < dataStart + 64 ? 1 : 13)
        {
            string path = _folder.Write("cut.safetensors", file.Bytes[..length]);
            Assert.False(LoadOracle.Attempt(path, file.Bytes, () => ModelFile.ReadInfo(path)), $"{file.Name} cut to {length} bytes loaded");
        }
    }

    // Each of the 64 bits of the header length flipped alone: a length past the file, inside the header, or huge.
    [Fact]
    public void EveryBitOfTheHeaderLengthFlippedIsRefused()
    {
        foreach (Committed file in Files)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                byte[] bytes = (byte[])file.Bytes.Clone();
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.False(Check(file, bytes), $"{file.Name} with bit {bit} of its header length flipped loaded");
            }
        }
    }

    /// <summary>Runs every load of <paramref name="bytes"/> the file is meant for; true when all succeeded.</summary>
    private bool Check(Committed file, byte[] bytes)
    {
        string path = _folder.Write("damaged.safetensors", bytes);
        var reference = SafetensorsReference.Decode(bytes);
        bool loaded = true;

        Sequential<float> model = file.NewModel();
        (float[] parameters, float[] state) = (model.Parameters.ToArray(), model.State.ToArray());
        if (LoadOracle.Attempt(path, bytes, () => ModelFile.LoadWeights(path, model)))
            LoadOracle.AssertLoaded(reference, model);
        else
        {
            loaded = false;
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.State.ToArray());
        }

        SavedModel<float>? saved = null;
        if (LoadOracle.Attempt(path, bytes, () => saved = ModelFile.Load<float>(path)))
            LoadOracle.AssertLoaded(reference, saved!.Model);
        else
            loaded = false;
        // A checkpoint's optimizer tensors are unexpected in a model: both strict loads refuse it, the other two must take it.
        if (file.NewTrainer is not null)
            loaded = true;

        loaded &= LoadOracle.Attempt(path, bytes, () => ModelFile.ReadInfo(path));

        if (file.NewTrainer is not null)
        {
            Trainer<float> trainer = file.NewTrainer();
            var before = TrainerSnapshot.Of(trainer);
            if (LoadOracle.Attempt(path, bytes, () => Checkpoint.Load(path, trainer)))
            {
                LoadOracle.AssertLoaded(reference, trainer.Model);
                foreach ((string name, float[] buffer) in trainer.Optimizer.SaveState().Buffers)
                    Assert.Equal(reference!.Value.Tensors["optimizer." + name].Values(), buffer.Select(v => (double)v));
            }
            else
            {
                loaded = false;
                Assert.Equal(before, TrainerSnapshot.Of(trainer));
            }
        }
        return loaded;
    }
}
