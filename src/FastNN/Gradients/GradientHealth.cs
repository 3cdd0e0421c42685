namespace FastNN.Gradients;

/// <summary>What the <see cref="GradientMonitor{T}"/> found wrong with a layer's gradients (flags combine).</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
[Flags]
public enum GradientHealth
{
    /// <summary>Nothing flagged.</summary>
    Healthy = 0,
    /// <summary>The layer's gradient norm is far below the last layer's (see <see cref="GradientMonitorOptions.VanishingRatio"/>).</summary>
    Vanishing = 1,
    /// <summary>The layer's gradient norm is far above the last layer's, or grew too fast over the window
    /// (see <see cref="GradientMonitorOptions.ExplodingRatio"/> and <see cref="GradientMonitorOptions.GrowthFactor"/>).</summary>
    Exploding = 2,
    /// <summary>The layer's gradient (or the last layer's) holds NaN or infinity, or (double elements near their maximum) has a norm past double's range.</summary>
    NonFinite = 4,
}
