using FastNN.Schedules;

namespace FastNN.Tests.Schedules;

/// <summary>Each schedule against PyTorch's recursive (chainable) form or a hand-computed value.</summary>
public class ScheduleTests
{
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-15 + 1e-12 * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");

    [Fact]
    public void ConstantNeverChanges()
    {
        var s = new ConstantSchedule(0.3);
        Assert.All(new long[] { 0, 1, 100, long.MaxValue }, t => Assert.Equal(0.3, s.LearningRate(t)));
    }

    [Fact]
    public void InverseTimeDecaysAsOneOverOnePlusDecayTimesT()
    {
        var perStep = new InverseTimeSchedule(0.1, 0.5);
        Assert.Equal(0.1, perStep.LearningRate(0));
        Close(0.1 / 1.5, perStep.LearningRate(1), "t=1");
        Close(0.05, perStep.LearningRate(2), "t=2");
        Close(0.1 / 51, perStep.LearningRate(100), "t=100");

        // Ten steps per epoch: constant within an epoch, γ0/(1 + δ·epoch) across epochs.
        var perEpoch = new InverseTimeSchedule(0.1, 0.5, stepsPerUnit: 10);
        for (long t = 0; t < 40; t++)
            Close(0.1 / (1 + 0.5 * (t / 10)), perEpoch.LearningRate(t), $"per-epoch t={t}");
        Assert.Equal(perEpoch.LearningRate(10), perEpoch.LearningRate(19));
        Assert.NotEqual(perEpoch.LearningRate(19), perEpoch.LearningRate(20));
    }

    [Fact]
    public void StepMatchesStepLrRecursion()
    {
        var s = new StepSchedule(0.5, 7, 0.3);
        double lr = 0.5;
        for (long t = 0; t <= 50; t++)
        {
            if (t > 0 && t % 7 == 0) lr *= 0.3; // StepLR.get_lr
            Close(lr, s.LearningRate(t), $"t={t}");
        }
    }

    [Fact]
    public void ExponentialMatchesExponentialLrRecursion()
    {
        var s = new ExponentialSchedule(0.5, 0.95);
        double lr = 0.5;
        for (long t = 0; t <= 100; t++, lr *= 0.95)
            Close(lr, s.LearningRate(t), $"t={t}");
    }

    [Theory]
    [InlineData(10, 0.0)]
    [InlineData(25, 0.001)]
    public void CosineMatchesCosineAnnealingLrRecursion(long tMax, double etaMin)
    {
        const double baseLr = 0.1;
        var s = new CosineAnnealingSchedule(baseLr, tMax, etaMin);
        double lr = baseLr;
        for (long t = 0; t <= 2 * tMax; t++)
        {
            // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr (v1.13), the recursive form.
            if (t == 0) lr = baseLr;
            else if ((t - 1 - tMax) % (2 * tMax) == 0) lr += (baseLr - etaMin) * (1 - Math.Cos(Math.PI / tMax)) / 2;
            else lr = (1 + Math.Cos(Math.PI * t / tMax)) / (1 + Math.Cos(Math.PI * (t - 1) / tMax)) * (lr - etaMin) + etaMin;
            Close(lr, s.LearningRate(t), $"t={t}");
        }
        Close(etaMin, s.LearningRate(tMax), "t = T_max");
    }

    [Fact]
    public void WarmupRampsLinearlyThenHandsOver()
    {
        var cosine = new CosineAnnealingSchedule(0.1, 20);
        var s = new WarmupSchedule(cosine, 4, startFactor: 0.2);
        double[] ramp = [0.1 * 0.2, 0.1 * 0.4, 0.1 * 0.6, 0.1 * 0.8];
        for (int t = 0; t < 4; t++) Close(ramp[t], s.LearningRate(t), $"warm-up t={t}");
        for (int t = 4; t < 30; t++) Assert.Equal(cosine.LearningRate(t - 4), s.LearningRate(t));

        var defaults = new WarmupSchedule(new ConstantSchedule(0.3), 3);
        Close(0.1, defaults.LearningRate(0), "LinearLR start factor 1/3");
        Assert.Equal(0.3, new WarmupSchedule(new ConstantSchedule(0.3), 0).LearningRate(0));
    }

    [Fact]
    public void SchedulesRejectBadArguments()
    {
        Assert.Equal(-1.0, Assert.Throws<ArgumentOutOfRangeException>("initialLearningRate", () => new ExponentialSchedule(-1, 0.9)).ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>("gamma", () => new ExponentialSchedule(0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("stepSize", () => new StepSchedule(0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("tMax", () => new CosineAnnealingSchedule(0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("decay", () => new InverseTimeSchedule(0.1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("stepsPerUnit", () => new InverseTimeSchedule(0.1, 0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("startFactor", () => new WarmupSchedule(new ConstantSchedule(1), 5, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => new ConstantSchedule(1).LearningRate(-1));
    }

    [Fact]
    public void ARateOfZeroStaysZeroWhereTheFactorsPowerOverflows()
    {
        // PyTorch's chainable form multiplies 0 by γ each step: 0 forever. Before: 0·γᵗ with γᵗ = +∞ (2¹⁰²⁴ at t = 1,024)
        // was NaN, which the optimizer refused mid-run.
        ILearningRateSchedule[] schedules = [new ExponentialSchedule(0, 2), new StepSchedule(0, 1, 2), new StepSchedule(0, 3, 1e10)];
        foreach (ILearningRateSchedule s in schedules)
            foreach (long t in new long[] { 0, 1, 1_024, 10_000, long.MaxValue })
            {
                Assert.Equal(0.0, s.LearningRate(t));
                Assert.Equal(0.0, s.GroupLearningRate(t, 0, 0.1));
            }
        // A group of rate 0 under a positive initial rate, too; a positive rate still grows to +∞ (the optimizer refuses it).
        Assert.Equal(double.PositiveInfinity, new ExponentialSchedule(1e-3, 2).LearningRate(2_000));
    }
}
