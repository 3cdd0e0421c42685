namespace FastNN.Schedules;

/// <summary>Linear warm-up in front of any schedule.</summary>
/// <remarks><code>
/// γ_t = after(0) · (f + (1 − f)·t / W)      for t &lt; W   (torch.optim.lr_scheduler.LinearLR's ramp)
/// γ_t = after(t − W)                          for t ≥ W   (the wrapped schedule starts its own clock after warm-up)
/// </code><para>With the defaults the rate climbs from a third of the wrapped schedule's first rate to all of it over W units of t.</para>
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
            ? After.LearningRate(0) * (StartFactor + (1 - StartFactor) * t / Warmup)
            : After.LearningRate(t - Warmup);
}
