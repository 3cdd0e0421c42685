using System.Numerics;
using FastNN.Models;

namespace FastNN.Cli.Training;

/// <summary>The hidden activations the command offers, by name, with the gain their initialization takes.</summary>
internal static class Activations
{
    public static readonly string[] Names = ["relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "tanh", "sigmoid"];

    /// <summary>Adds the named activation.</summary>
    public static SequentialBuilder<T> Add<T>(SequentialBuilder<T> builder, string name) where T : unmanaged, IFloatingPointIeee754<T> => name switch
    {
        "relu" => builder.Relu(),
        "leaky_relu" => builder.LeakyRelu(),
        "prelu" => builder.PRelu(),
        "elu" => builder.Elu(),
        "gelu" => builder.Gelu(),
        "silu" => builder.Silu(),
        "tanh" => builder.Tanh(),
        "sigmoid" => builder.Sigmoid(),
        _ => throw new UsageException($"--activation: unknown activation '{name}'; expected {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The nonlinearity whose gain Xavier and He initialization take (torch.nn.init.calculate_gain), with the negative
    /// slope of a leaky ReLU. PyTorch defines no gain for ELU, GELU and SiLU; they take ReLU's, as the ReLU-like
    /// functions they are.
    /// </summary>
    public static (Nonlinearity Nonlinearity, double NegativeSlope) Gain(string name) => name switch
    {
        "leaky_relu" => (Nonlinearity.LeakyRelu, 0.01),
        "prelu" => (Nonlinearity.LeakyRelu, 0.25),
        "tanh" => (Nonlinearity.Tanh, 0),
        "sigmoid" => (Nonlinearity.Sigmoid, 0),
        _ => (Nonlinearity.Relu, 0),
    };
}
