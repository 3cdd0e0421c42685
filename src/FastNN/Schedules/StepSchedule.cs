namespace FastNN.Schedules;

/// <summary>Step decay, as torch.optim.lr_scheduler.StepLR: <c>γ_t = γ0 · g^⌊t / s⌋</c>.</summary>
/// <remarks>A parameter group with its own rate γ0_g decays from it: <c>γ0_g · g^⌊t / s⌋</c>, as StepLR.
/// <para>Thread safety: immutable (the rate is a function of the step alone); safe to share between
/// threads.</para></remarks>
public sealed class StepSchedule : ILearningRateSchedule
{
    /// <summary>Creates a step schedule.</summary>
    /// <param name="initialLearningRate">γ0 ≥ 0.</param>
    /// <param name="stepSize">s ≥ 1: the rate drops every s units of t.</param>
    /// <param name="gamma">g &gt; 0, the factor of each drop (default: 0.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public StepSchedule(double initialLearningRate, long stepSize, double gamma = 0.1)
    {
        InitialLearningRate = ScheduleArguments.Rate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        StepSize = stepSize;
        Gamma = ScheduleArguments.Factor(gamma, nameof(gamma));
    }

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>s.</summary>
    public long StepSize { get; }

    /// <summary>g.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public double LearningRate(long t) => GroupLearningRate(t, InitialLearningRate, InitialLearningRate);

    /// <summary>The rate at t of a group that starts from its own γ0_g: <c>γ0_g · g^⌊t / s⌋</c>.</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g, the group's own rate.</param>
    /// <param name="initialRate">Not used.</param>
    /// <returns>γ_g,t.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    public double GroupLearningRate(long t, double groupInitialRate, double initialRate)
        => ScheduleArguments.Scaled(groupInitialRate, Math.Pow(Gamma, ScheduleArguments.Time(t) / StepSize));
}
