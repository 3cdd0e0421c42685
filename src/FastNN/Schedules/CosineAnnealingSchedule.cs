namespace FastNN.Schedules;

/// <summary>
/// Cosine annealing, PyTorch's closed form of torch.optim.lr_scheduler.CosineAnnealingLR:
/// <c>γ_t = η_min + (γ0 − η_min)·(1 + cos(π·t / T_max)) / 2</c>.
/// </summary>
/// <remarks>The rate falls from γ0 at t = 0 to η_min at t = T_max; past T_max the formula continues (rising again), as PyTorch's closed form does.
/// A parameter group with its own rate γ0_g anneals from it to the same η_min (<see cref="GroupLearningRate"/>), as
/// PyTorch's scheduler does to every param group; one whose rate is below η_min rises to it.
/// <para>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</para></remarks>
public sealed class CosineAnnealingSchedule : ILearningRateSchedule
{
    /// <summary>Creates a cosine annealing schedule.</summary>
    /// <param name="initialLearningRate">γ0 ≥ 0.</param>
    /// <param name="tMax">T_max ≥ 1, the half period.</param>
    /// <param name="minLearningRate">η_min ≥ 0 (default: 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public CosineAnnealingSchedule(double initialLearningRate, long tMax, double minLearningRate = 0)
    {
        InitialLearningRate = ScheduleArguments.Rate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(tMax, 1);
        TMax = tMax;
        MinLearningRate = ScheduleArguments.Rate(minLearningRate, nameof(minLearningRate));
    }

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>T_max.</summary>
    public long TMax { get; }

    /// <summary>η_min.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc/>
    public double LearningRate(long t) => GroupLearningRate(t, InitialLearningRate, InitialLearningRate);

    /// <summary>The rate at t of a group that anneals from its own γ0_g: <c>η_min + (γ0_g − η_min)·(1 + cos(π·t / T_max)) / 2</c>.</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g, the group's own rate.</param>
    /// <param name="initialRate">Not used: every group has the same floor η_min.</param>
    /// <returns>γ_g,t.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    public double GroupLearningRate(long t, double groupInitialRate, double initialRate)
        => MinLearningRate + (groupInitialRate - MinLearningRate) * (1 + Math.Cos(Math.PI * ScheduleArguments.Time(t) / TMax)) / 2;
}
