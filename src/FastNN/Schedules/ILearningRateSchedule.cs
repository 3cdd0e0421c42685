namespace FastNN.Schedules;

/// <summary>A learning rate as a function of time, set on an optimizer before each step or epoch (<c>Optimizer.ApplySchedule</c>).</summary>
/// <remarks>
/// Schedules are pure functions of t (PyTorch's closed forms), so resuming at any t needs no schedule state.
/// t counts whatever the caller advances: pass the step index to change the rate every step, or the epoch index to
/// change it every epoch.
/// <para>Parameter groups with their own rate: as PyTorch's schedulers, which run every param group from that group's
/// own initial rate with the other settings shared, <see cref="GroupLearningRate"/> gives such a group's rate at t; the
/// built-in schedules evaluate their formula with the group's rate in place of γ0.</para>
/// <para>Thread safety: the built-in schedules are immutable (the rate is a function of the step alone) and may be
/// shared between threads; an implementation of your own should be too, or say otherwise.</para>
/// </remarks>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate γ_t at time <paramref name="t"/> (0 for the first step or epoch).</summary>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <returns>γ_t ≥ 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    double LearningRate(long t);

    /// <summary>
    /// The rate at time <paramref name="t"/> of a parameter group that starts from its own rate γ0_g instead of γ0, the
    /// schedule's other settings shared (PyTorch's schedulers on a param group with its own <c>lr</c>).
    /// </summary>
    /// <remarks>The built-in schedules give their formula with γ0_g in place of γ0 (so cosine annealing floors every group
    /// at the same η_min, as PyTorch). This default, for a schedule of your own, follows the base rate in proportion:
    /// γ0_g · <see cref="LearningRate(long)"/> / γ⁰, or γ0_g when γ⁰ = 0 (what every group got before this method).</remarks>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <param name="groupInitialRate">γ0_g ≥ 0, the group's own rate (<c>ParameterGroup.LearningRate</c>).</param>
    /// <param name="initialRate">γ⁰ ≥ 0, the optimizer's initial base rate (<c>Optimizer.InitialLearningRate</c>), which the
    /// default's proportion is taken against.</param>
    /// <returns>γ_g,t ≥ 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative.</exception>
    double GroupLearningRate(long t, double groupInitialRate, double initialRate)
        => groupInitialRate * (initialRate == 0 ? 1 : LearningRate(t) / initialRate);
}
