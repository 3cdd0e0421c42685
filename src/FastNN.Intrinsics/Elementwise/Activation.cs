using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>An element-wise activation with its parameters, for fused kernels such as <see cref="Rows.AddBiasActivation{T}"/>.</summary>
/// <remarks>Built through the static members, which validate the parameters and apply PyTorch's defaults.
/// <para>Thread safety: immutable; any number of threads may use one value at once.</para></remarks>
public readonly record struct Activation
{
    private Activation(ActivationKind kind, double parameter = 0, double threshold = 0)
    {
        Kind = kind;
        Parameter = parameter;
        Threshold = threshold;
    }

    /// <summary>Which function.</summary>
    public ActivationKind Kind { get; }

    /// <summary>The negative slope (LeakyReLU), alpha (ELU) or beta (softplus); 0 for the others.</summary>
    public double Parameter { get; }

    /// <summary>The softplus threshold; 0 for the others.</summary>
    public double Threshold { get; }

    /// <summary>
    /// <see cref="Parameter"/> converted to <typeparamref name="T"/> and checked there as the matching
    /// <see cref="Activations"/> kernel checks it (a slope or alpha finite, a softplus β positive and finite): a value
    /// valid in double can leave float's range, β = 1e-50 rounding to 0 and a slope of 1e39 to +∞.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The converted parameter is out of its range; named <paramref name="name"/>.</exception>
    internal T ParameterIn<T>(string name) where T : IFloatingPointIeee754<T>
    {
        T parameter = T.CreateTruncating(Parameter);
        bool valid = Kind switch
        {
            ActivationKind.LeakyRelu or ActivationKind.Elu => T.IsFinite(parameter),
            ActivationKind.Softplus => T.IsFinite(parameter) && parameter > T.Zero,
            _ => true,
        };
        return valid ? parameter : throw new ArgumentOutOfRangeException(name, Parameter,
            $"The {Kind} parameter {Parameter} becomes {parameter} in {typeof(T).Name}, out of its range there (see Activations.{Kind}).");
    }

    /// <summary>f(z) = z: a plain bias add.</summary>
    public static Activation Identity => new(ActivationKind.Identity);

    /// <summary>The logistic sigmoid.</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid);

    /// <summary>The hyperbolic tangent.</summary>
    public static Activation Tanh => new(ActivationKind.Tanh);

    /// <summary>ReLU.</summary>
    public static Activation Relu => new(ActivationKind.Relu);

    /// <summary>Exact (erf) GELU.</summary>
    public static Activation Gelu => new(ActivationKind.Gelu);

    /// <summary>Tanh-approximated GELU.</summary>
    public static Activation GeluTanh => new(ActivationKind.GeluTanh);

    /// <summary>SiLU (swish).</summary>
    public static Activation Silu => new(ActivationKind.Silu);

    /// <summary>Leaky ReLU with the given slope for negative inputs.</summary>
    /// <param name="negativeSlope">The slope for z ≤ 0 (PyTorch default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite.</exception>
    public static Activation LeakyRelu(double negativeSlope = 0.01) =>
        new(ActivationKind.LeakyRelu, double.IsFinite(negativeSlope) ? negativeSlope : throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be finite."));

    /// <summary>ELU with the given alpha.</summary>
    /// <param name="alpha">The saturation value for negative inputs (PyTorch default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite.</exception>
    public static Activation Elu(double alpha = 1) =>
        new(ActivationKind.Elu, double.IsFinite(alpha) ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be finite."));

    /// <summary>Softplus with PyTorch's parameters.</summary>
    /// <param name="beta">β &gt; 0 (PyTorch default 1).</param>
    /// <param name="threshold">Above it (in β·z) the function is the identity (PyTorch default 20).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not a positive finite number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN.</exception>
    public static Activation Softplus(double beta = 1, double threshold = 20)
    {
        if (!double.IsFinite(beta) || beta <= 0)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number.");
        if (double.IsNaN(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must not be NaN.");
        return new(ActivationKind.Softplus, beta, threshold);
    }
}
