namespace FastNN.Schedules;

/// <summary>A learning rate as a function of time, set on an optimizer's <c>LearningRate</c> before each step or epoch.</summary>
/// <remarks>
/// Schedules are pure functions of t (PyTorch's closed forms), so resuming at any t needs no schedule state.
/// t counts whatever the caller advances: pass the step index to change the rate every step, or the epoch index to
/// change it every epoch.
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
}
