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
/// NaN or infinite, a batch count that is negative or that the model's element type cannot hold below 2⁶³ (so that
/// the loaded model could not be saved). Each must raise <see cref="ModelFileException"/> naming the file and the
/// tensor, leaving a model or trainer aimed at exactly as it was.
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
    // with ArgumentException ("is a count but holds 9.223372E+18"): a model that loads could not be saved.
    [Theory]
    [InlineData(-5L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void ABatchCountThatIsNegativeOrPast2To63InTheModelsTypeIsRefused(long count)
    {
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(BatchNormFile), "1.num_batches_tracked", 0, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes, count)));
        Assert.Contains("1.num_batches_tracked", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
        Sequential<float> model = ModelFile.Load<float>(BatchNormFile).Model;
        float[] state = model.State.ToArray();
        Assert.Contains("1.num_batches_tracked", Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, model)).Message);
        Assert.Equal(state, model.State.ToArray());
    }

    // A checkpoint's copy of the best epoch's state goes back into the model when Fit ends, so it obeys the same rules.
    // Before: a NaN running variance in it loaded, and the restored model would have predicted NaN.
    [Fact]
    public void ABestEpochStateWithABadRunningVarianceIsRefused()
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
        // The state is running_mean [5], running_var [5], num_batches_tracked: element 6 is a variance.
        path = _folder.Write("bad.safetensors", Patch(File.ReadAllBytes(path), "early_stopping.best_state", 6 * 4, bytes => BinaryPrimitives.WriteSingleLittleEndian(bytes, float.NaN)));
        Trainer<float> trainer = New(2);
        float[] state = trainer.Model.State.ToArray();
        string message = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer)).Message;
        Assert.Contains("early_stopping.best_state", message);
        Assert.Contains("'1.running_var' is a variance but holds NaN (element 1)", message);
        Assert.Equal(state, trainer.Model.State.ToArray());
        Assert.Null(trainer.EarlyStopping);
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

    // The largest count a double holds below 2⁶³ loads into a double model and saves back as the same I64.
    [Fact]
    public void TheLargestCountBelow2To63LoadsAndSavesBack()
    {
        const long count = long.MaxValue - 1023; // 2⁶³ − 1024, the largest double below 2⁶³
        string path = _folder.Write("model.safetensors", Patch(File.ReadAllBytes(Fixture("safetensors", "fastnn", "batchnorm_eval_f64.safetensors")), "1.num_batches_tracked", 0,
            bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes, count)));
        Sequential<double> model = ModelFile.Load<double>(path).Model;
        ModelFile.Save(_folder.File("saved.safetensors"), model);
        var saved = SafetensorsReference.Decode(File.ReadAllBytes(_folder.File("saved.safetensors")))!.Value;
        Assert.Equal(count, BinaryPrimitives.ReadInt64LittleEndian(saved.Tensors["1.num_batches_tracked"].Bytes));
    }
}
