namespace FastNN.Schedules;

/// <summary>Inverse-time decay: <c>γ_t = γ0 / (1 + δ·⌊t / k⌋)</c>, the classic α/(1 + δ·epoch) of stochastic approximation.</summary>
/// <remarks>
/// With k = 1 the rate falls every t (every step, or every epoch if the caller passes epochs). With k = the number
/// of mini-batches per epoch and t the step index, it falls once per epoch while being queried every step. A parameter
/// group with its own rate γ0_g decays from it, <c>γ0_g / (1 + δ·⌊t / k⌋)</c> (PyTorch's LambdaLR with this factor).
/// <para>Thread safety: immutable (the rate is a function of the step alone); safe to share between threads.</para>
/// </remarks>
public sealed class InverseTimeSchedule : ILearningRateSchedule
{
    /// <summary>Creates an inverse-time schedule.</summary>
    /// <param name="initialLearningRate">γ0 ≥ 0.</param>
    /// <param name="decay">δ ≥ 0, the decay rate.</param>
    /// <param name="stepsPerUnit">k ≥ 1: how many t make one unit of decay (default: 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public InverseTimeSchedule(double initialLearningRate, double decay, long stepsPerUnit = 1)
    {
        InitialLearningRate = ScheduleArguments.Rate(initialLearningRate, nameof(initialLearningRate));
        Decay = ScheduleArguments.Rate(decay, nameof(decay));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerUnit, 1);
        StepsPerUnit = stepsPerUnit;
    }

    /// <summary>γ0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>δ.</summary>
    public double Decay { get; }

    /// <summary>k.</summary>
    public long StepsPerUnit { get; }

    /// <inheritdoc/>
    public double LearningRate(long t) => GroupLearningRate(t, InitialLearningRate, InitialLearningRate);

    /// <summary>The rate at t of a group that starts from its own γ0_g: <c>γ0_g / (1 + δ·⌊t / k⌋)</c>.</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g, the group's own rate.</param>
    /// <param name="initialRate">Not used.</param>
    /// <returns>γ_g,t.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    public double GroupLearningRate(long t, double groupInitialRate, double initialRate)
        => groupInitialRate / (1 + Decay * (ScheduleArguments.Time(t) / StepsPerUnit));
}
