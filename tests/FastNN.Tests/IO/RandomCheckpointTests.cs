using System.Numerics;
using FastNN.IO;
using FastNN.Tests.Gemm;
using FastNN.Tests.Training;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.IO;

/// <summary>
/// Checkpoint's promise on random runs (RandomRuns: random architecture, task and loss, optimizer, schedule, clipping,
/// penalty, shuffling, drop-last, held-out rows with early stopping and RestoreBest), float and double: a run paused
/// after a random step (within an epoch or at its end), saved, and resumed in a trainer built with other model and
/// shuffling seeds ends bit-identical to the uninterrupted run, with the same early-stopping watch (best epoch and its
/// result, epochs since, stop).
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
        whole.Regularizer = new StepHook<T>(whole.Regularizer, _ => { }); // as the paused run has (the step's gradient path)
        if (!RandomRuns.TryFit(whole, data))
            return;
        int pauseAfter = 1 + new Random(seed).Next((int)whole.Steps - 1); // any step: within an epoch or at its end

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        (Trainer<T> first, _) = RandomRuns.New<T>(seed, modelSeed: 1, shuffleSeed: 7);
        using var stop = new CancellationTokenSource();
        first.Regularizer = new StepHook<T>(first.Regularizer, step =>
        {
            if (step == pauseAfter)
                stop.Cancel();
        });
        first.Fit(data, cancellationToken: stop.Token);
        Assert.Equal(pauseAfter, first.Steps);
        Checkpoint.Save(path, first);

        (Trainer<T> resumed, _) = RandomRuns.New<T>(seed, modelSeed: 99, shuffleSeed: 12345);
        resumed.Regularizer = new StepHook<T>(resumed.Regularizer, _ => { });
        Checkpoint.Load(path, resumed);
        resumed.Fit(data);
        string at = $"seed {seed}, paused after step {pauseAfter} of {whole.Steps} ({whole.Options.Epochs} epochs)";
        Same(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray(), $"{at}: parameters");
        Same(whole.Model.State.ToArray(), resumed.Model.State.ToArray(), $"{at}: state");
        Assert.Equal(whole.Steps, resumed.Steps);
        Assert.Equal(whole.CompletedEpochs, resumed.CompletedEpochs);
        Assert.Equal(whole.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
        Assert.Equal(whole.Model.Random.State, resumed.Model.Random.State);
        Assert.Equal(Timeless(whole.EarlyStopping), Timeless(resumed.EarlyStopping));
    }

    // The watch but the best epoch's wall time, which no two runs share.
    private static EarlyStoppingState? Timeless(EarlyStoppingState? watch) =>
        watch?.Best is { } best ? watch with { Best = best with { Elapsed = TimeSpan.Zero } } : watch;

    private static void Same<T>(T[] expected, T[] actual, string what) where T : unmanaged
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"{what}[{i}]: {actual[i]} resumed, {expected[i]} uninterrupted");
    }
}
