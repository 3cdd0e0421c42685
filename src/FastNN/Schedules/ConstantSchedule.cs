namespace FastNN.Schedules;

/// <summary>The same learning rate at every t: <c>γ_t = γ0</c>.</summary>
/// <remarks>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</remarks>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>Creates a constant schedule.</summary>
    /// <param name="learningRate">γ0 ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">γ0 is negative, infinite or NaN.</exception>
    public ConstantSchedule(double learningRate) => InitialLearningRate = ScheduleArguments.Rate(learningRate, nameof(learningRate));

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <inheritdoc/>
    public double LearningRate(long t)
    {
        ScheduleArguments.Time(t);
        return InitialLearningRate;
    }
}
