namespace FastNN.Schedules;

/// <summary>Exponential decay, as torch.optim.lr_scheduler.ExponentialLR: <c>γ_t = γ0 · g^t</c>.</summary>
/// <remarks>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</remarks>
public sealed class ExponentialSchedule : ILearningRateSchedule
{
    /// <summary>Creates an exponential schedule.</summary>
    /// <param name="initialLearningRate">γ0 ≥ 0.</param>
    /// <param name="gamma">g &gt; 0, the factor per unit of t.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ExponentialSchedule(double initialLearningRate, double gamma)
    {
        InitialLearningRate = ScheduleArguments.Rate(initialLearningRate, nameof(initialLearningRate));
        Gamma = ScheduleArguments.Factor(gamma, nameof(gamma));
    }

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>g.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public double LearningRate(long t) => InitialLearningRate * Math.Pow(Gamma, ScheduleArguments.Time(t));
}
