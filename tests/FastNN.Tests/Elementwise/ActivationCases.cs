using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// Each activation's kernel, its double reference, and its error bound (ulps of ε, and the magnitude that
/// bound scales with when the formula itself is ill-conditioned).
/// </summary>
internal static class ActivationCases
{
    public const double LeakySlope = 0.01;
    public const double EluAlpha = 0.7;

    public static readonly string[] Names =
        ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu", "softplus", "softplus_beta2_threshold5"];

    public static void Forward<T>(string name, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (name)
        {
            case "sigmoid": Activations.Sigmoid(x, y); break;
            case "tanh": Activations.Tanh(x, y); break;
            case "relu": Activations.Relu(x, y); break;
            case "leaky_relu": Activations.LeakyRelu(x, y, T.CreateTruncating(LeakySlope)); break;
            case "elu": Activations.Elu(x, y, T.CreateTruncating(EluAlpha)); break;
            case "gelu": Activations.Gelu(x, y); break;
            case "gelu_tanh": Activations.GeluTanh(x, y); break;
            case "silu": Activations.Silu(x, y); break;
            case "softplus": Activations.Softplus(x, y, T.One, T.CreateTruncating(20)); break;
            case "softplus_beta2_threshold5": Activations.Softplus(x, y, T.CreateTruncating(2), T.CreateTruncating(5)); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }

    /// <summary>The reference value, with the slope/alpha rounded to T as the kernel receives them.</summary>
    public static double ForwardReference<T>(string name, double x) where T : IFloatingPointIeee754<T> => name switch
    {
        "sigmoid" => Reference.Sigmoid(x),
        "tanh" => Reference.Tanh(x),
        "relu" => Reference.Relu(x),
        "leaky_relu" => Reference.LeakyRelu(x, Tolerance.D(T.CreateTruncating(LeakySlope))),
        "elu" => Reference.Elu(x, Tolerance.D(T.CreateTruncating(EluAlpha))),
        "gelu" => Reference.Gelu(x),
        "gelu_tanh" => Reference.GeluTanh(x),
        "silu" => Reference.Silu(x),
        "softplus" => Reference.Softplus(x, 1, 20),
        "softplus_beta2_threshold5" => Reference.Softplus(x, 2, 5),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>x·f(x) kernels multiply a possibly subnormal f(x) by x: the subnormal floor scales with |x|.</summary>
    public static double ForwardFloorScale(string name, double x) =>
        name is "silu" or "gelu" or "gelu_tanh" && double.IsFinite(x) ? 1 + Math.Abs(x) : 1;

    /// <summary>Error bound in ε, relative to <see cref="ForwardScale"/>.</summary>
    public static double ForwardUlps(string name) => name switch
    {
        "relu" => 0,
        "leaky_relu" => 0.5,
        "sigmoid" or "tanh" => 4,
        "silu" or "softplus" or "softplus_beta2_threshold5" => 6,
        "elu" or "gelu" or "gelu_tanh" => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>
    /// |expected|, times the conditioning of an argument the kernel must round: for the tanh-GELU
    /// u = √(2/π)(x + 0.044715x³) is rounded, and σ(2u) amplifies that by |2u|·(1 − σ(2u)) ≤ 1 + |2u|.
    /// </summary>
    public static double ForwardScale(string name, double x, double expected)
    {
        if (name != "gelu_tanh" || expected == 0)
            return Math.Abs(expected);
        double u = Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        return Math.Abs(expected) * (1 + Math.Abs(2 * u));
    }
}
