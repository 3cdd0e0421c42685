namespace FastNN.Gradients;

/// <summary>How often a <see cref="GradientMonitor{T}"/> samples, how much it keeps, and when it flags a layer.</summary>
/// <remarks>
/// The thresholds compare each layer with the last (output-side) layer at the same step, so they do not depend
/// on the scale of the loss: in a healthy network gradient norms stay within a few orders of magnitude of each
/// other across depth. A 20-layer sigmoid network at PyTorch's default initialization has first-layer gradients
/// about 10⁻¹⁷ times the last layer's (3.5·10⁻¹⁷ at width 64, measured by <c>fastnn gradflow</c>: each layer passes
/// back about σ′·‖W‖ ≈ 0.25·√(1/3) ≈ 0.14 of its gradient); a ReLU network with He initialization stays within a
/// factor of ten.
/// <para>Thread safety: immutable (init-only); safe to share between threads.</para>
/// </remarks>
public sealed record GradientMonitorOptions
{
    /// <summary>Sample every this many steps (steps 0, N, 2N, …). Default 10.</summary>
    public int Interval { get; init; } = 10;

    // Whether Capacity and GrowthWindow were set (by an initializer or a with expression), so that a Capacity below the
    // window is refused naming the one the caller set rather than the one left at its default.
    private readonly bool _capacitySet, _growthWindowSet;

    /// <summary>Number of samples kept; older ones are overwritten. At least <see cref="GrowthWindow"/> (the growth test reads that many). Default 256.</summary>
    public int Capacity
    {
        get;
        init => (field, _capacitySet) = (value, true);
    } = 256;

    /// <summary>
    /// A layer is <see cref="GradientHealth.Vanishing"/> when its gradient norm divided by the last layer's is below
    /// this. Default 10⁻³ (three orders of magnitude: its weights then learn a thousand times slower).
    /// </summary>
    public double VanishingRatio { get; init; } = 1e-3;

    /// <summary>
    /// A layer is <see cref="GradientHealth.Exploding"/> when its gradient norm divided by the last layer's is
    /// above this. Default 10³.
    /// </summary>
    public double ExplodingRatio { get; init; } = 1e3;

    /// <summary>
    /// A layer is also <see cref="GradientHealth.Exploding"/> when its gradient norm grew by more than this factor
    /// between the oldest sample of the window and the newest. Default 10³.
    /// </summary>
    public double GrowthFactor { get; init; } = 1e3;

    /// <summary>Number of samples the growth test spans (the newest and the <c>GrowthWindow − 1</c> before it): from 2 to <see cref="Capacity"/>. Default 10.</summary>
    public int GrowthWindow
    {
        get;
        init => (field, _growthWindowSet) = (value, true);
    } = 10;

    /// <summary>Whether every option has the same value, however it was set (given, or left at its default).</summary>
    /// <param name="other">The options to compare with.</param>
    /// <returns>True when all options are equal.</returns>
    public bool Equals(GradientMonitorOptions? other) =>
        other is not null && Interval == other.Interval && Capacity == other.Capacity && VanishingRatio.Equals(other.VanishingRatio)
        && ExplodingRatio.Equals(other.ExplodingRatio) && GrowthFactor.Equals(other.GrowthFactor) && GrowthWindow == other.GrowthWindow;

    /// <summary>A hash of the options' values, as <see cref="Equals(GradientMonitorOptions)"/> compares them.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => HashCode.Combine(Interval, Capacity, VanishingRatio, ExplodingRatio, GrowthFactor, GrowthWindow);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Interval, 1, nameof(Interval));
        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 1, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(GrowthWindow, 2, nameof(GrowthWindow));
        // Named after the option the caller set; both named in the message, since either can be changed.
        if (Capacity < GrowthWindow && _growthWindowSet && !_capacitySet)
            throw new ArgumentOutOfRangeException(nameof(GrowthWindow), GrowthWindow,
                $"GrowthWindow ({GrowthWindow}) must be at most Capacity ({Capacity}, its default): the growth test spans GrowthWindow samples, and the monitor keeps only Capacity. Lower GrowthWindow or raise Capacity.");
        if (Capacity < GrowthWindow)
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity,
                $"Capacity ({Capacity}) must be at least GrowthWindow ({GrowthWindow}): the growth test spans GrowthWindow samples, so the monitor must keep that many. Raise Capacity or lower GrowthWindow.");
        if (!(VanishingRatio > 0 && VanishingRatio < 1))
            throw new ArgumentOutOfRangeException(nameof(VanishingRatio), VanishingRatio, "Must be in (0, 1).");
        if (!(ExplodingRatio > 1 && double.IsFinite(ExplodingRatio)))
            throw new ArgumentOutOfRangeException(nameof(ExplodingRatio), ExplodingRatio, "Must be finite and greater than 1.");
        if (!(GrowthFactor > 1 && double.IsFinite(GrowthFactor)))
            throw new ArgumentOutOfRangeException(nameof(GrowthFactor), GrowthFactor, "Must be finite and greater than 1.");
    }
}
