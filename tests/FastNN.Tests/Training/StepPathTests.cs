using System.Numerics;
using FastNN.Tests.Gemm;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.Training;

/// <summary>
/// TrainStep's two ways to the gradients, on random runs (RandomRuns, without schedule, clipping or penalty): with
/// nothing that reads the gradients before the update, the backward pass writes them; with a clipping bound that never
/// clips, it adds them to zeroed ones. The documented promise: the same values (a zero may differ in sign), so the same
/// training run, step for step.
/// </summary>
public class StepPathTests
{
    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void FloatWrittenAndAccumulatedGradientsTrainAlike(int seed) => Alike<float>(seed);

    [Property(MaxTest = 20, EndSize = 1 << 30)]
    public void DoubleWrittenAndAccumulatedGradientsTrainAlike(int seed) => Alike<double>(seed);

    private static void Alike<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Trainer<T> written, var data) = RandomRuns.New<T>(seed, modelSeed: 3, shuffleSeed: 5, plain: true);
        (Trainer<T> accumulated, _) = RandomRuns.New<T>(seed, modelSeed: 3, shuffleSeed: 5, plain: true);
        accumulated.MaxGradientNorm = 1e300; // read before the update, never clips
        var losses = new List<double>[] { [], [] };
        written.EpochCompleted = e => losses[0].Add(e.TrainLoss);
        accumulated.EpochCompleted = e => losses[1].Add(e.TrainLoss);
        Assert.Equal(RandomRuns.TryFit(written, data), RandomRuns.TryFit(accumulated, data));
        Assert.Equal(losses[0], losses[1]);
        T[] p = written.Model.Parameters.ToArray(), q = accumulated.Model.Parameters.ToArray();
        for (int i = 0; i < p.Length; i++)
            Assert.True(p[i] == q[i] || T.IsNaN(p[i]) && T.IsNaN(q[i]), $"seed {seed}: parameter {i} is {p[i]} with written gradients, {q[i]} with accumulated ones");
        T[] s = written.Model.State.ToArray(), t = accumulated.Model.State.ToArray();
        for (int i = 0; i < s.Length; i++)
            Assert.True(GemmAssert.BitEquals(s[i], t[i]), $"seed {seed}: state {i} is {s[i]} with written gradients, {t[i]} with accumulated ones");
    }
}
