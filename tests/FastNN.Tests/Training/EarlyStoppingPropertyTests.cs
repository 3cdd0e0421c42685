using System.Numerics;
using FastNN.Tests.Gemm;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.Training;

/// <summary>
/// Early stopping and the best epoch on random runs (RandomRuns, with held-out rows and random Patience, MinDelta,
/// watched number and RestoreBest), against the rule the docs state, applied to the validation numbers the epochs
/// report: an epoch is the best so far when its number is not NaN and beats the best by more than MinDelta (the first
/// non-NaN one always); training stops after Patience epochs without one; the parameters and state left are those of
/// the best epoch with RestoreBest, of the last epoch without.
/// </summary>
public class EarlyStoppingPropertyTests
{
    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void FloatRunsStopAndRestoreAsDocumented(int seed) => Check<float>(seed);

    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void DoubleRunsStopAndRestoreAsDocumented(int seed) => Check<double>(seed);

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Trainer<T> run, var data) = RandomRuns.New<T>(seed, modelSeed: 1, shuffleSeed: 7);
        var random = new Random(~seed);
        Trainer<T> trainer = RandomRuns.WithEarlyStopping(run, data.Rows, random, epochs: 4 + random.Next(6), patienceBound: 4);
        TrainerOptions options = trainer.Options;
        var snapshots = new Dictionary<int, (T[] Parameters, T[] State)>();
        trainer.EpochCompleted = e => snapshots[e.Epoch] = (trainer.Model.Parameters.ToArray(), trainer.Model.State.ToArray());
        TrainingHistory history;
        try
        {
            history = trainer.Fit(data);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("The training objective is", StringComparison.Ordinal))
        {
            return; // diverged
        }

        int best = 0, without = 0, stopAt = options.Epochs;
        double bestScore = double.NaN;
        foreach (EpochResult e in history.Epochs)
        {
            double score = options.EarlyStoppingOn == EarlyStoppingOn.ValidationLoss ? -e.Validation!.Loss : e.Validation!.Metric;
            if (!double.IsNaN(score) && (best == 0 || score > bestScore + options.MinDelta))
                (best, bestScore, without) = (e.Epoch, score, 0);
            else if (options.Patience > 0 && ++without == options.Patience)
            {
                stopAt = e.Epoch;
                break;
            }
        }
        string at = $"seed {seed}, {options}";
        Assert.True(stopAt == history.Epochs.Count, $"{at}: ran {history.Epochs.Count} epochs, the rule stops after {stopAt}");
        Assert.True(best == history.BestEpoch, $"{at}: best epoch {history.BestEpoch}, the rule's {best}");
        Assert.True((stopAt < options.Epochs) == history.StoppedEarly, $"{at}: StoppedEarly {history.StoppedEarly}");
        (T[] parameters, T[] state) = snapshots[options.RestoreBest && best > 0 ? best : stopAt];
        T[] p = trainer.Model.Parameters.ToArray(), s = trainer.Model.State.ToArray();
        for (int i = 0; i < p.Length; i++)
            Assert.True(GemmAssert.BitEquals(p[i], parameters[i]), $"{at}: parameter {i} is not the one of epoch {(options.RestoreBest && best > 0 ? best : stopAt)}");
        for (int i = 0; i < s.Length; i++)
            Assert.True(GemmAssert.BitEquals(s[i], state[i]), $"{at}: state {i} is not the one of epoch {(options.RestoreBest && best > 0 ? best : stopAt)}");
    }
}
