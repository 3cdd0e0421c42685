using System.Numerics;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Training;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// The batch and fraction a checkpoint records refuse no resume under the saved run's own options: saved part-way
/// through an epoch, at an epoch's end, or after Fit returned (early stopping's best weights put back), with the batch
/// size unset (min(32, MaxBatch), here 24 over 56 or 70 rows) or set, a held-out fraction, the caller's own validation
/// set, or both (early stopping ends every validated run here before its 12 epochs), in float and double, the resumed
/// run ends bit-identical to one that never stopped.
/// </summary>
public class CheckpointBatchResumeTests
{
    public enum SavedAt { MidEpoch, EpochEnd, AfterFit }

    public static TheoryData<double, bool, int?, SavedAt> Runs()
    {
        var runs = new TheoryData<double, bool, int?, SavedAt>();
        foreach (double fraction in new[] { 0.0, 0.2 })
            foreach (bool ownValidation in new[] { false, true })
                foreach (int? batchSize in new int?[] { null, 17 })
                    foreach (SavedAt at in Enum.GetValues<SavedAt>())
                        runs.Add(fraction, ownValidation, batchSize, at);
        return runs;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void FloatResumesBitIdentically(double fraction, bool ownValidation, int? batchSize, SavedAt at) =>
        ResumesBitIdentically<float>(fraction, ownValidation, batchSize, at);

    [Theory]
    [MemberData(nameof(Runs))]
    public void DoubleResumesBitIdentically(double fraction, bool ownValidation, int? batchSize, SavedAt at) =>
        ResumesBitIdentically<double>(fraction, ownValidation, batchSize, at);

    private static void ResumesBitIdentically<T>(double fraction, bool ownValidation, int? batchSize, SavedAt at)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dataset<T> train = Blobs<T>(70, seed: 3);
        Dataset<T>? validation = ownValidation ? Blobs<T>(20, seed: 5) : null;
        int patience = fraction > 0 || ownValidation ? 1 : 0;
        Trainer<T> whole = NewTrainer<T>(fraction, batchSize, patience);
        TrainingHistory all = whole.Fit(train, validation);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<T> first = NewTrainer<T>(fraction, batchSize, patience);
        using var stop = new CancellationTokenSource();
        if (at == SavedAt.MidEpoch)
            first.Regularizer = new StepHook<T>(null, step =>
            {
                if (step == 2)
                    stop.Cancel();
            });
        if (at == SavedAt.EpochEnd)
            first.EpochCompleted = e =>
            {
                if (e.Epoch == 2)
                    stop.Cancel();
            };
        first.Fit(train, validation, stop.Token);
        Assert.Equal(at == SavedAt.MidEpoch, first.Unfinished is not null);
        first.Regularizer = null;
        Checkpoint.Save(path, first);

        Trainer<T> resumed = NewTrainer<T>(fraction, batchSize, patience);
        Checkpoint.Load(path, resumed);
        TrainingHistory rest = resumed.Fit(train, validation);
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(whole.Model.State.ToArray(), resumed.Model.State.ToArray());
        Assert.Equal(whole.CompletedEpochs, resumed.CompletedEpochs);
        Assert.Equal(all.BestEpoch, rest.BestEpoch);
    }

    // Three classes of 4-feature rows around three centres.
    private static Dataset<T> Blobs<T>(int rows, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new FastRandom((ulong)seed);
        var x = new T[rows * 4];
        var y = new T[rows];
        for (int r = 0; r < rows; r++)
        {
            y[r] = T.CreateTruncating(r % 3);
            for (int c = 0; c < 4; c++)
                x[4 * r + c] = T.CreateTruncating((c == r % 3 ? 1.0 : 0.0) + random.NextDouble(-1, 1));
        }
        return new Dataset<T>(x, y, 4);
    }

    private static Trainer<T> NewTrainer<T>(double fraction, int? batchSize, int patience) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Sequential<T> model = new SequentialBuilder<T>(4).Dense(8).BatchNorm().Relu().Dropout(0.2).Dense(3).Build(maxBatch: 24, seed: 1);
        return new Trainer<T>(model, new SoftmaxCrossEntropyLoss<T>(), new Adam<T>(model.Parameters.Length, 0.05), TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 12, BatchSize = batchSize, Seed = 7, ValidationFraction = fraction, Patience = patience });
    }
}
