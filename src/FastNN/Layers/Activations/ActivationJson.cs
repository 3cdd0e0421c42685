using System.Numerics;
using System.Text.Json;

namespace FastNN.Layers;

/// <summary>The JSON descriptions of the activation layers: PyTorch module and argument names; the width comes from the previous layer.</summary>
internal static class ActivationJson
{
    /// <summary>The activation layer named <paramref name="type"/> over <paramref name="width"/> features, or null when the type is not an activation.</summary>
    public static ILayer<T>? Read<T>(string type, JsonElement e, string at, int width) where T : unmanaged, IFloatingPointIeee754<T> => type switch
    {
        "Sigmoid" => new Sigmoid<T>(width),
        "Tanh" => new Tanh<T>(width),
        "ReLU" => new Relu<T>(width),
        "SiLU" => new Silu<T>(width),
        "LeakyReLU" => new LeakyRelu<T>(width, LayerJson.Double(e, "negative_slope", at, 0.01)),
        "ELU" => new Elu<T>(width, LayerJson.Double(e, "alpha", at, 1.0)),
        "Softplus" => new Softplus<T>(width, LayerJson.Double(e, "beta", at, 1.0), LayerJson.Double(e, "threshold", at, 20.0)),
        "GELU" => new Gelu<T>(width, Approximation(e, at)),
        "PReLU" => new PRelu<T>(width, e.TryGetProperty("num_parameters", out _) ? LayerJson.Int(e, "num_parameters", at) : 1, LayerJson.Double(e, "init", at, 0.25)),
        "Softmax" => new Softmax<T>(width),
        "LogSoftmax" => new LogSoftmax<T>(width),
        _ => null,
    };

    private static bool Approximation(JsonElement e, string at)
    {
        if (!e.TryGetProperty("approximate", out _))
            return false;
        return LayerJson.String(e, "approximate", at) switch
        {
            "none" => false,
            "tanh" => true,
            string other => throw new FormatException($"{at}.approximate is '{other}'; expected 'none' or 'tanh'."),
        };
    }
}
