namespace FastNN.Schedules;

/// <summary>Linear warm-up in front of any schedule.</summary>
/// <remarks><code>
/// γ_t = after(0) · (f + (1 − f)·t / W)      for t &lt; W   (torch.optim.lr_scheduler.LinearLR's ramp)
/// γ_t = after(t − W)                          for t ≥ W   (the wrapped schedule starts its own clock after warm-up)
/// </code><para>With the defaults the rate climbs from a third of the wrapped schedule's first rate to all of it over W units of t.
/// A parameter group with its own rate takes the same ramp in front of the wrapped schedule's rates for that group
/// (<see cref="ILearningRateSchedule.GroupLearningRate"/>), as LinearLR then the next scheduler in PyTorch's SequentialLR.</para>
/// <para>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</para></remarks>
public sealed class WarmupSchedule : ILearningRateSchedule
{
    /// <summary>Wraps <paramref name="after"/> with a linear warm-up.</summary>
    /// <param name="after">The schedule that follows the warm-up.</param>
    /// <param name="warmup">W ≥ 0, the warm-up length in units of t (0: no warm-up).</param>
    /// <param name="startFactor">f ∈ [0, 1], the fraction of the first rate at t = 0 (default: 1/3, as LinearLR).</param>
    /// <exception cref="ArgumentNullException"><paramref name="after"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">W is negative or f is outside [0, 1].</exception>
    public WarmupSchedule(ILearningRateSchedule after, long warmup, double startFactor = 1.0 / 3)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        if (!(startFactor >= 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "startFactor must be in [0, 1].");
        After = after;
        Warmup = warmup;
        StartFactor = startFactor;
    }

    /// <summary>The schedule after the warm-up.</summary>
    public ILearningRateSchedule After { get; }

    /// <summary>W.</summary>
    public long Warmup { get; }

    /// <summary>f.</summary>
    public double StartFactor { get; }

    /// <inheritdoc/>
    public double LearningRate(long t)
        => ScheduleArguments.Time(t) < Warmup
            ? After.LearningRate(0) * Ramp(t)
            : After.LearningRate(t - Warmup);

    /// <summary>The rate at t of a group that starts from its own γ0_g: the ramp in front of <see cref="After"/>'s rates for that group.</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g, the group's own rate.</param>
    /// <param name="initialRate">γ⁰, passed on to <see cref="After"/>.</param>
    /// <returns>γ_g,t.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    public double GroupLearningRate(long t, double groupInitialRate, double initialRate)
        => ScheduleArguments.Time(t) < Warmup
            ? After.GroupLearningRate(0, groupInitialRate, initialRate) * Ramp(t)
            : After.GroupLearningRate(t - Warmup, groupInitialRate, initialRate);

    private double Ramp(long t) => StartFactor + (1 - StartFactor) * t / Warmup;
}
