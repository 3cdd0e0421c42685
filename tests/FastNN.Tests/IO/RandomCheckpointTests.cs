using System.Numerics;
using FastNN.IO;
using FastNN.Tests.Gemm;
using FastNN.Tests.Training;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.IO;

/// <summary>
/// Checkpoint's promise on random runs (RandomRuns: random architecture, task and loss, optimizer, schedule, clipping,
/// penalty, shuffling, drop-last, held-out rows), float and double: a run paused after a random epoch, saved, and
/// resumed in a trainer built with other model and shuffling seeds ends bit-identical to the uninterrupted run.
/// </summary>
public class RandomCheckpointTests
{
    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void FloatRunsResumeBitIdentically(int seed) => Resumes<float>(seed);

    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void DoubleRunsResumeBitIdentically(int seed) => Resumes<double>(seed);

    private static void Resumes<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Trainer<T> whole, var data) = RandomRuns.New<T>(seed, modelSeed: 1, shuffleSeed: 7);
        if (!RandomRuns.TryFit(whole, data))
            return;
        int pauseAfter = 1 + new Random(seed).Next(whole.Options.Epochs - 1);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        (Trainer<T> first, _) = RandomRuns.New<T>(seed, modelSeed: 1, shuffleSeed: 7);
        using var stop = new CancellationTokenSource();
        first.EpochCompleted = e =>
        {
            if (e.Epoch == pauseAfter)
                stop.Cancel();
        };
        first.Fit(data, cancellationToken: stop.Token);
        Assert.Equal(pauseAfter, first.CompletedEpochs);
        Checkpoint.Save(path, first);

        (Trainer<T> resumed, _) = RandomRuns.New<T>(seed, modelSeed: 99, shuffleSeed: 12345);
        Checkpoint.Load(path, resumed);
        resumed.Fit(data);
        string at = $"seed {seed}, paused after epoch {pauseAfter} of {whole.Options.Epochs}";
        Same(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray(), $"{at}: parameters");
        Same(whole.Model.State.ToArray(), resumed.Model.State.ToArray(), $"{at}: state");
        Assert.Equal(whole.Steps, resumed.Steps);
        Assert.Equal(whole.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
        Assert.Equal(whole.Model.Random.State, resumed.Model.Random.State);
    }

    private static void Same<T>(T[] expected, T[] actual, string what) where T : unmanaged
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"{what}[{i}]: {actual[i]} resumed, {expected[i]} uninterrupted");
    }
}
