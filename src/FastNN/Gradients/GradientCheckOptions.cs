namespace FastNN.Gradients;

/// <summary>Settings of <see cref="GradientCheck"/>; the defaults are <c>torch.autograd.gradcheck</c>'s.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
public sealed record GradientCheckOptions
{
    /// <summary>The default settings.</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>Step h of the central difference <c>(L(θ + h) − L(θ − h)) / 2h</c> (default 1e-6); 2h stands for the step
    /// actually taken, <c>(θ + h) − (θ − h)</c> as rounded, which differs from it far from 0 (by 4.6% near 1.7e9, a Unix
    /// time; by 91% from 2³³ ≈ 8.6e9 to 2³⁴, where θ ± h rounds to a neighbour 1.9e-6 away). Where θ ± h both round to θ
    /// (|θ| above 2³⁴ ≈ 1.7e10 at the default step) no step is taken: the numeric value is NaN and the element fails; raise
    /// h for such values.</summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>Absolute tolerance: an element passes when <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c> and that error is finite, or when both are the same infinity, as torch.allclose (default 1e-5).</summary>
    public double AbsoluteTolerance { get; init; } = 1e-5;

    /// <summary>Relative tolerance, as above (default 1e-3).</summary>
    public double RelativeTolerance { get; init; } = 1e-3;

    /// <summary>Mode of the model built around a single layer (default training).</summary>
    public bool Training { get; init; } = true;

    /// <summary>Seed of the model built around a single layer: initializes its parameters (default 0).</summary>
    public ulong Seed { get; init; }
}
