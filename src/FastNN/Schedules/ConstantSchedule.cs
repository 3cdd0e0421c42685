namespace FastNN.Schedules;

/// <summary>The same learning rate at every t: <c>γ_t = γ0</c>.</summary>
/// <remarks>A parameter group with its own rate keeps it.
/// <para>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</para></remarks>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>Creates a constant schedule.</summary>
    /// <param name="learningRate">γ0 ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">γ0 is negative, infinite or NaN.</exception>
    public ConstantSchedule(double learningRate) => InitialLearningRate = ScheduleArguments.Rate(learningRate, nameof(learningRate));

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <inheritdoc/>
    public double LearningRate(long t) => GroupLearningRate(t, InitialLearningRate, InitialLearningRate);

    /// <summary>The rate at t of a group with its own γ0_g: γ0_g.</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g, the group's own rate.</param>
    /// <param name="initialRate">Not used.</param>
    /// <returns>γ0_g.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    public double GroupLearningRate(long t, double groupInitialRate, double initialRate)
    {
        ScheduleArguments.Time(t);
        return groupInitialRate;
    }
}
