using System.Buffers.Binary;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Optimizers;
using FastNN.Models;
using FastNN.Training;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.IO;

/// <summary>
/// Tensor values no run can leave, which a model would take silently: a BatchNorm running variance that is negative,
/// NaN or infinite, a batch count that is negative or past what the model holds exactly (StateCount: 2^48 in a float
/// model, so that the loaded model would not save back the count it was given). Each must raise
/// <see cref="ModelFileException"/> naming the file and the tensor, leaving a model or trainer aimed at exactly as it was.
/// </summary>
public class TensorValueTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<float> BadVariances => new() { -1f, -1e-30f, float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    // Before: each loaded, and the model predicted NaN (or, for +∞, the bias whatever the input) with no error.
    [Theory]
    [MemberData(nameof(BadVariances))]
    public void ARunningVarianceThatIsNegativeNaNOrInfiniteIsRefused(float variance)
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(BatchNormFile), "1.running_var", 8, bytes => BinaryPrimitives.WriteSingleLittleEndian(bytes, variance)));
        Assert.Contains("1.running_var", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);

        Sequential<float> model = ModelFile.Load<float>(BatchNormFile).Model;
        float[] state = model.State.ToArray();
        Assert.Contains("1.running_var", Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, model)).Message);
        Assert.Equal(state, model.State.ToArray());

        string checkpoint = _folder.Write("checkpoint.safetensors", Patch(File.ReadAllBytes(CheckpointFile), "1.running_var", 60, bytes => BinaryPrimitives.WriteSingleLittleEndian(bytes, variance)));
        Trainer<float> trainer = CheckpointTrainer();
        state = trainer.Model.State.ToArray();
        Assert.Contains("1.running_var", Assert.Throws<ModelFileException>(() => Checkpoint.Load(checkpoint, trainer)).Message);
        Assert.Equal(state, trainer.Model.State.ToArray());
    }

    // A zero variance is one a constant feature gives: it loads (ε keeps the division finite).
    [Fact]
    public void AZeroRunningVarianceLoads()
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(BatchNormFile), "1.running_var", 0, bytes => BinaryPrimitives.WriteSingleLittleEndian(bytes, 0f)));
        Assert.Equal(0f, ModelFile.Load<float>(path).Model.Tensor("1.running_var")[0]);
    }

    // Before: -5 loaded as a count of -5; 2⁶³ − 1 loaded into a float model as 2⁶³, which ModelFile.Save then refused
    // with ArgumentException ("is a count but holds 9.223372E+18"): a model that loads could not be saved. Since counts
    // take two elements (StateCount), a float model holds every count up to 2^48 exactly, and no further is promised:
    // 2^48 + 1 and 2⁶³ − 1 (which the pair would happen to hold) are refused as past that range.
    [Theory]
    [InlineData(-5L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData((1L << 48) + 1)]
    public void ABatchCountThatIsNegativeOrPast2To48InAFloatModelIsRefused(long count)
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(BatchNormFile), "1.num_batches_tracked", 0, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes, count)));
        string expected = $"'1.num_batches_tracked' is a count but holds {count} (element 0) in a Single model, which is not an integer from 0 to 281474976710656";
        Assert.Contains(expected, Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
        Sequential<float> model = ModelFile.Load<float>(BatchNormFile).Model;
        float[] state = model.State.ToArray();
        Assert.Contains(expected, Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, model)).Message);
        Assert.Equal(state, model.State.ToArray());
    }

    // The ends of the range: 0 and 2^48 load into a float model and save back as the same I64.
    [Theory]
    [InlineData(0L)]
    [InlineData(1L << 48)]
    public void ACountFrom0To2To48LoadsIntoAFloatModelAndSavesBack(long count)
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(BatchNormFile), "1.num_batches_tracked", 0, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes, count)));
        Assert.Equal(count, SavedCount(ModelFile.Load<float>(path).Model));
    }

    // A checkpoint's copy of the best epoch's state goes back into the model when Fit ends, so it obeys the same rules.
    // Before: a NaN running variance in it loaded, and the restored model would have predicted NaN. Its count is a
    // StateCount pair (value 4, remainder 0), checked as one count: made negative, or fractional in its remainder.
    [Theory]
    [InlineData(6, float.NaN, "'1.running_var' is a variance but holds NaN (element 1)")]
    [InlineData(10, -3f, "'1.num_batches_tracked' is a count but holds -3 (element 0)")]
    [InlineData(11, 0.5f, "'1.num_batches_tracked' is a count but holds 4 + 0.5 (element 0)")]
    public void ABestEpochStateWithABadRunningVarianceOrCountIsRefused(int element, float value, string expected)
    {
        Trainer<float> New(ulong seed)
        {
            Sequential<float> model = new SequentialBuilder<float>(4).Dense(5).BatchNorm().Relu().Dense(3).Build(maxBatch: 16, seed);
            return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Adam<float>(model.Parameters.Length), TaskKind.MultiClassClassification,
                new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 7, ValidationFraction = 0.25, Patience = 5, RestoreBest = true });
        }

        var random = new Random(5);
        var data = new FastNN.Data.Dataset<float>(
            Enumerable.Range(0, 40 * 4).Select(_ => (float)random.NextDouble()).ToArray(), Enumerable.Range(0, 40).Select(r => (float)(r % 3)).ToArray(), 4);
        Trainer<float> trained = New(1);
        trained.Fit(data);
        string path = _folder.File("run.safetensors");
        Checkpoint.Save(path, trained);
        // The state is running_mean [5], running_var [5], num_batches_tracked's value and remainder.
        Assert.Equal([4f, 0f], trained.Model.State[10..].ToArray()); // RestoreBest: the best epoch's
        path = _folder.Write("bad.safetensors", Patch(File.ReadAllBytes(path), "early_stopping.best_state", element * 4, bytes => BinaryPrimitives.WriteSingleLittleEndian(bytes, value)));
        Trainer<float> trainer = New(2);
        float[] state = trainer.Model.State.ToArray();
        string message = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer)).Message;
        Assert.Contains("early_stopping.best_state", message);
        Assert.Contains(expected, message);
        Assert.Equal(state, trainer.Model.State.ToArray());
        Assert.Null(trainer.EarlyStopping);
    }

    // Checkpoint.Save checks the best epoch's state as Load does. Before: Save wrote the file, which Checkpoint.Load then
    // refused ("best_state ... holds Infinity"). Fit no longer leaves such a state (it refuses the step whose forward pass
    // does), so the best epoch's is set as a checkpoint's is restored, the model's own staying finite.
    [Fact]
    public void CheckpointSaveRefusesABestEpochStateThatLoadWouldRefuse()
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(5).BatchNorm().Relu().Dense(3).Build(maxBatch: 16, 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Adam<float>(model.Parameters.Length), TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 7, ValidationFraction = 0.25, Patience = 5, RestoreBest = true });
        var random = new Random(5);
        var data = new FastNN.Data.Dataset<float>(
            Enumerable.Range(0, 40 * 4).Select(_ => (float)random.NextDouble()).ToArray(), Enumerable.Range(0, 40).Select(r => (float)(r % 3)).ToArray(), 4);
        trainer.Fit(data);
        float[] best = trainer.BestState.ToArray();
        best[5] = float.PositiveInfinity; // '1.running_var' element 0, after running_mean [5]
        trainer.RestoreProgress(trainer.Steps, trainer.CompletedEpochs, trainer.ValidationSeed, trainer.Unfinished, trainer.Batches, trainer.EarlyStopping,
            trainer.BestParameters.Span, best);

        string path = _folder.File("run.safetensors");
        string message = Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, trainer)).Message;
        Assert.Contains("best epoch", message);
        Assert.Contains("'1.running_var' is a variance but holds Infinity (element 0)", message);
        Assert.False(File.Exists(path));
    }

    // What saves must load: a model holding such a value is refused by Save, naming the tensor (a count was refused
    // before only when it was not an integer).
    [Fact]
    public void SaveRefusesANegativeCountAndANegativeVariance()
    {
        Sequential<float> model = ModelFile.Load<float>(BatchNormFile).Model;
        model.SetTensor("1.num_batches_tracked", [-1f]);
        Assert.Contains("'1.num_batches_tracked' is a count but holds -1", Assert.Throws<ArgumentException>(() => ModelFile.Save(_folder.File("a"), model)).Message);
        model = ModelFile.Load<float>(BatchNormFile).Model;
        model.SetTensor("1.running_var", [1f, 1f, -2f, 1f, 1f, 1f]);
        Assert.Contains("'1.running_var' is a variance but holds -2 (element 2)", Assert.Throws<ArgumentException>(() => ModelFile.Save(_folder.File("a"), model)).Message);
        Assert.False(File.Exists(_folder.File("a")));
    }

    // Every 64-bit count loads into a double model and saves back as the same I64, the largest too (2⁶³ − 1, which one
    // double element could not hold).
    [Fact]
    public void TheLargestCountLoadsIntoADoubleModelAndSavesBack()
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(Fixture("safetensors", "fastnn", "batchnorm_eval_f64.safetensors")), "1.num_batches_tracked", 0,
            bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes, long.MaxValue)));
        Assert.Equal(long.MaxValue, SavedCount(ModelFile.Load<double>(path).Model));
    }

    // The count ModelFile.Save writes, read back by the tests' own reader.
    private long SavedCount<T>(Sequential<T> model) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ModelFile.Save(_folder.File("saved.safetensors"), model);
        var saved = SafetensorsReference.Decode(File.ReadAllBytes(_folder.File("saved.safetensors")))!.Value;
        return BinaryPrimitives.ReadInt64LittleEndian(saved.Tensors["1.num_batches_tracked"].Bytes);
    }
}
