using System.Text.Json;

namespace FastNN.Layers;

/// <summary>A built-in layer that can describe itself in a model's JSON description.</summary>
internal interface IJsonLayer
{
    /// <summary>Writes the layer's properties (<c>"type"</c> first) into the open JSON object.</summary>
    void Write(Utf8JsonWriter writer);
}
