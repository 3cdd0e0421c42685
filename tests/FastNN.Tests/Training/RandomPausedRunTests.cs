using System.Numerics;
using FastNN.Data;
using FastNN.IO;
using FastNN.Optimizers;
using FastNN.Tests.Gemm;
using FastNN.Tests.IO;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.Training;

/// <summary>
/// A run paused any number of times is the uninterrupted run, on random runs (RandomRuns, with held-out rows and random
/// Patience, MinDelta, watched number and RestoreBest), float and double: paused after random steps (within epochs or
/// at their ends) and resumed through a random mix of the same trainer's next Fit, a checkpoint saved after the Fit
/// returned, and a checkpoint saved from the epoch callback (as the fastnn command saves them: at the stopping epoch,
/// before the best weights are put back), each loaded into a trainer built with other model and shuffling seeds. It
/// ends with the same parameters, state, optimizer state, random streams, epochs (their results but wall time),
/// best epoch, stop and watch; and a Fit after the end, in the same trainer or from a checkpoint, trains no more and
/// changes nothing.
/// </summary>
public class RandomPausedRunTests
{
    [Property(MaxTest = 8, EndSize = 1 << 30)]
    public void FloatRunsPausedAnyNumberOfTimesEndAsUninterrupted(int seed) => Check<float>(seed);

    [Property(MaxTest = 8, EndSize = 1 << 30)]
    public void DoubleRunsPausedAnyNumberOfTimesEndAsUninterrupted(int seed) => Check<double>(seed);

    // RandomRuns' run under early-stopping options drawn from the seed, every step through a hook (the same gradient
    // path for all), which may pause it.
    private static (Trainer<T> Trainer, Dataset<T> Data) New<T>(int seed, ulong modelSeed, int shuffleSeed, Action<Trainer<T>>? onStep = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Trainer<T> run, Dataset<T> data) = RandomRuns.New<T>(seed, modelSeed, shuffleSeed);
        var random = new Random(~seed);
        Trainer<T>? trainer = null;
        trainer = RandomRuns.WithEarlyStopping(run, data.Rows, random, epochs: 3 + random.Next(6), patienceBound: 3,
            own => new StepHook<T>(own, _ => onStep?.Invoke(trainer!)));
        return (trainer, data);
    }

    private enum Resume { SameTrainer, CheckpointAfterFit, CheckpointFromCallback }

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Trainer<T> whole, Dataset<T> data) = New<T>(seed, 1, 7);
        TrainingHistory all;
        try
        {
            all = whole.Fit(data);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("The training objective is", StringComparison.Ordinal))
        {
            return; // diverged
        }

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        var random = new Random(seed);
        int stepsPerEpoch = (int)(whole.Steps / whole.CompletedEpochs);
        var ran = new List<EpochResult>();
        var log = new List<string>();
        long pauseAfter = 0;
        var stop = new CancellationTokenSource();
        (Trainer<T> trainer, _) = New<T>(seed, 1, 7, PauseHere);
        TrainingHistory last;
        while (true)
        {
            var resume = (Resume)random.Next(3);
            pauseAfter = resume == Resume.CheckpointFromCallback ? long.MaxValue : trainer.Steps + 1 + random.Next(2 * stepsPerEpoch);
            log.Add($"{resume} after step {(resume == Resume.CheckpointFromCallback ? "(an epoch's end)" : pauseAfter)}");
            stop = new CancellationTokenSource();
            trainer.EpochCompleted = resume != Resume.CheckpointFromCallback ? null : _ =>
            {
                Checkpoint.Save(path, trainer);
                stop.Cancel();
            };
            last = trainer.Fit(data, cancellationToken: stop.Token);
            ran.AddRange(last.Epochs);
            if (!stop.IsCancellationRequested)
                break;
            if (resume == Resume.CheckpointAfterFit)
                Checkpoint.Save(path, trainer);
            if (resume != Resume.SameTrainer)
            {
                (trainer, _) = New<T>(seed, 99, 12345, PauseHere);
                Checkpoint.Load(path, trainer);
            }
        }
        string at = $"seed {seed}, {whole.Options}, {whole.Steps} steps; paused: {string.Join(", ", log)}";
        SameRun(whole, all, trainer, last, at);
        Assert.True(all.Epochs.Select(Summary).SequenceEqual(ran.Select(Summary)), $"{at}: the epochs' results differ");

        // The run has ended: a later Fit, in the same trainer or from a checkpoint, runs no epoch and leaves all as it was.
        Checkpoint.Save(path, trainer);
        TrainingHistory again = trainer.Fit(data);
        Assert.Empty(again.Epochs);
        SameRun(whole, all, trainer, again, $"{at}; a Fit after the end");
        (Trainer<T> loaded, _) = New<T>(seed, 99, 12345);
        Checkpoint.Load(path, loaded);
        TrainingHistory fromFile = loaded.Fit(data);
        Assert.Empty(fromFile.Epochs);
        SameRun(whole, all, loaded, fromFile, $"{at}; a Fit from a checkpoint saved after the end");

        void PauseHere(Trainer<T> t)
        {
            if (t.Steps + 1 == pauseAfter) // called within the step, before it is counted
                stop.Cancel();
        }
    }

    private static void SameRun<T>(Trainer<T> whole, TrainingHistory all, Trainer<T> resumed, TrainingHistory last, string at)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Same(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray(), $"{at}: parameters");
        Same(whole.Model.State.ToArray(), resumed.Model.State.ToArray(), $"{at}: state");
        OptimizerState<T> expected = whole.Optimizer.SaveState(), actual = resumed.Optimizer.SaveState();
        Assert.True(expected.StepCount == actual.StepCount, $"{at}: optimizer steps {actual.StepCount}, uninterrupted {expected.StepCount}");
        foreach ((string name, T[] buffer) in expected.Buffers)
            Same(buffer, actual.Buffers[name], $"{at}: optimizer {name}");
        Assert.True((whole.Steps, whole.CompletedEpochs) == (resumed.Steps, resumed.CompletedEpochs),
            $"{at}: {resumed.Steps} steps, {resumed.CompletedEpochs} epochs; uninterrupted {whole.Steps}, {whole.CompletedEpochs}");
        Assert.True(whole.Model.Random.State == resumed.Model.Random.State, $"{at}: dropout stream");
        Assert.True(whole.ShuffleRandom.State == resumed.ShuffleRandom.State, $"{at}: shuffling stream");
        Assert.True(whole.Optimizer.LearningRate == resumed.Optimizer.LearningRate, $"{at}: learning rate");
        Assert.True((all.BestEpoch, all.StoppedEarly) == (last.BestEpoch, last.StoppedEarly),
            $"{at}: best epoch {last.BestEpoch}, stopped early {last.StoppedEarly}; uninterrupted {all.BestEpoch}, {all.StoppedEarly}");
        if (all.BestEpoch > 0)
            Assert.True(Summary(all.Best).Equals(Summary(last.Best)), $"{at}: best {last.Best}, uninterrupted {all.Best}");
        Assert.True(Timeless(whole.EarlyStopping) == Timeless(resumed.EarlyStopping), $"{at}: watch {resumed.EarlyStopping}, uninterrupted {whole.EarlyStopping}");
    }

    // An epoch's result but its wall time.
    private static (int, double, Evaluation?, double, long) Summary(EpochResult e) => (e.Epoch, e.TrainLoss, e.Validation, e.LearningRate, e.Steps);

    private static EarlyStoppingState? Timeless(EarlyStoppingState? watch) =>
        watch?.Best is { } best ? watch with { Best = best with { Elapsed = TimeSpan.Zero } } : watch;

    private static void Same<T>(T[] expected, T[] actual, string what) where T : unmanaged
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, uninterrupted {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"{what}[{i}]: {actual[i]} resumed, {expected[i]} uninterrupted");
    }
}
