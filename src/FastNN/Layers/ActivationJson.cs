using System.Numerics;
using System.Text.Json;

namespace FastNN.Layers;

/// <summary>The JSON descriptions of the activation layers.</summary>
internal static class ActivationJson
{
    /// <summary>The activation layer named <paramref name="type"/> over <paramref name="width"/> features, or null when the type is not an activation.</summary>
    public static ILayer<T>? Read<T>(string type, JsonElement e, string at, int width) where T : unmanaged, IFloatingPointIeee754<T> => type switch
    {
        _ => null,
    };
}
