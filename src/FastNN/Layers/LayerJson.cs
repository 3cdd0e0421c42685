using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace FastNN.Layers;

/// <summary>
/// Reads and writes the JSON description of a <see cref="Models.Sequential{T}"/>: PyTorch module names and argument
/// names, so the description reads like the <c>nn.Sequential</c> it stands for.
/// </summary>
internal static class LayerJson
{
    public const string Format = "fastnn.sequential";
    public const int Version = 1;

    /// <summary>
    /// Where the first layer without a JSON description (a layer of your own) sits, at any depth, such as
    /// <c>2.body.0 (MyLayer)</c>; null when every layer, inside Residual and Concat bodies too, has one.
    /// </summary>
    public static string? Undescribed<T>(IReadOnlyList<ILayer<T>> layers, string prefix = "") where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < layers.Count; j++)
        {
            string? found = layers[j] switch
            {
                not IJsonLayer => $"{prefix}{j} ({LayerChain<T>.Describe(layers[j])})",
                Residual<T> residual => Undescribed(residual.Body, $"{prefix}{j}.body."),
                Concat<T> concat => Undescribed(concat.Body, $"{prefix}{j}.body."),
                _ => null,
            };
            if (found is not null)
                return found;
        }
        return null;
    }

    public static string Write<T>(IReadOnlyList<ILayer<T>> layers, int maxBatch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Checked over the whole tree first, so a layer of your own inside a body is named by its path.
        if (Undescribed(layers) is { } layer)
            throw new NotSupportedException($"Layer {layer} is not a built-in layer and has no JSON description.");
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteNumber("input_size", layers[0].InputSize);
            writer.WriteNumber("max_batch", maxBatch);
            WriteLayers(writer, "layers", layers);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void WriteLayers<T>(Utf8JsonWriter writer, string name, IReadOnlyList<ILayer<T>> layers) where T : unmanaged, IFloatingPointIeee754<T>
    {
        writer.WriteStartArray(name);
        foreach (ILayer<T> layer in layers)
        {
            writer.WriteStartObject();
            ((IJsonLayer)layer).Write(writer); // every layer has a description: Write checked the tree
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static (List<ILayer<T>> Layers, int MaxBatch) Read<T>(string json) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The model description is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                return ReadModel<T>(document.RootElement);
            }
            catch (InvalidOperationException e)
            {
                // Valid JSON may still escape a lone surrogate (\ud800), which System.Text.Json finds only when the text is read.
                throw new FormatException($"The model description holds a text that is not valid UTF-16: {e.Message}", e);
            }
        }
    }

    private static (List<ILayer<T>> Layers, int MaxBatch) ReadModel<T>(JsonElement root) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException("The model description must be a JSON object.");
        string format = String(root, "format", "$");
        if (format != Format)
            throw new FormatException($"$.format is '{format}'; expected '{Format}'.");
        int version = Int(root, "version", "$");
        if (version != Version)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"$.version is {version}; this library reads version {Version}."));
        CheckFields(root, "$", "a model description", ModelFields);
        int inputSize = Positive(root, "input_size", "$");
        int maxBatch = root.TryGetProperty("max_batch", out _) ? Positive(root, "max_batch", "$") : 1;
        return (ReadLayers<T>(root, "layers", "$", inputSize), maxBatch);
    }

    private static List<ILayer<T>> ReadLayers<T>(JsonElement parent, string name, string path, int inputSize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!parent.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            throw new FormatException($"{path}.{name} must be a non-empty array of layers.");
        var layers = new List<ILayer<T>>();
        int width = inputSize;
        int j = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            string at = $"{path}.{name}[{j++}]";
            if (element.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{at} must be an object.");
            ILayer<T> layer;
            try
            {
                layer = ReadLayer<T>(element, at, width);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{at}: {e.Message}", e);
            }
            layers.Add(layer);
            width = layer.OutputSize;
        }
        return layers;
    }

    /// <summary>The fields each layer type's description may hold besides <c>type</c> (the names its reader, here or in
    /// <see cref="ActivationJson"/>, takes): anything else (a misspelt <c>negative_slope</c>, a <c>P</c> for <c>p</c>) is an
    /// error, not a default silently taken.</summary>
    private static readonly Dictionary<string, string[]> LayerFields = new()
    {
        ["Linear"] = ["in_features", "out_features", "bias"],
        ["BatchNorm1d"] = ["num_features", "eps", "momentum"],
        ["LayerNorm"] = ["normalized_shape", "eps"],
        ["Dropout"] = ["p"],
        ["Residual"] = ["body"],
        ["Concat"] = ["body"],
        ["LeakyReLU"] = ["negative_slope"],
        ["ELU"] = ["alpha"],
        ["Softplus"] = ["beta", "threshold"],
        ["GELU"] = ["approximate"],
        ["PReLU"] = ["num_parameters", "init"],
        ["Sigmoid"] = [], ["Tanh"] = [], ["ReLU"] = [], ["SiLU"] = [], ["Softmax"] = [], ["LogSoftmax"] = [],
    };

    private static readonly string[] ModelFields = ["format", "version", "input_size", "max_batch", "layers"];

    /// <summary>Refuses a field <paramref name="e"/> should not hold, or one it holds twice.</summary>
    private static void CheckFields(JsonElement e, string at, string what, IReadOnlyCollection<string> fields)
    {
        var seen = new HashSet<string>();
        foreach (JsonProperty field in e.EnumerateObject())
        {
            if (!seen.Add(field.Name))
                throw new FormatException($"{at}.{field.Name} is given twice.");
            if (!fields.Contains(field.Name))
                throw new FormatException($"{at}.{field.Name} is not a field of {what}; it has {string.Join(", ", fields)}.");
        }
    }

    private static ILayer<T> ReadLayer<T>(JsonElement e, string at, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string type = String(e, "type", at);
        if (LayerFields.TryGetValue(type, out string[]? fields))
            CheckFields(e, at, type, ["type", .. fields]);
        return type switch
        {
            "Linear" => new Dense<T>(Width(e, "in_features", at, width), Int(e, "out_features", at), Bool(e, "bias", at, true)),
            "BatchNorm1d" => new BatchNorm1d<T>(Width(e, "num_features", at, width), Double(e, "eps", at, 1e-5), Double(e, "momentum", at, 0.1)),
            "LayerNorm" => new LayerNorm<T>(Width(e, "normalized_shape", at, width), Double(e, "eps", at, 1e-5)),
            "Dropout" => new Dropout<T>(width, Double(e, "p", at, 0.5)),
            "Residual" => new Residual<T>(ReadLayers<T>(e, "body", at, width)),
            "Concat" => new Concat<T>(ReadLayers<T>(e, "body", at, width)),
            _ => ActivationJson.Read<T>(type, e, at, width)
                 ?? throw new FormatException($"{at}.type '{type}' is not a known layer type."),
        };
    }

    /// <summary>A width the layer may state; when stated it must match the previous layer's output.</summary>
    public static int Width(JsonElement e, string name, string at, int width)
    {
        if (!e.TryGetProperty(name, out _))
            return width;
        int stated = Int(e, name, at);
        if (stated != width)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{at}.{name} is {stated} but the previous layer outputs [batch, {width}]."));
        return stated;
    }

    public static string String(JsonElement e, string name, string at) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"{at}.{name} must be a string.");

    public static int Int(JsonElement e, string name, string at) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)
            ? i
            : throw new FormatException($"{at}.{name} must be an integer.");

    /// <summary>An integer of at least 1 (a width or a batch), so a bad one is reported as the description's, not as an argument.</summary>
    private static int Positive(JsonElement e, string name, string at)
    {
        int value = Int(e, name, at);
        return value >= 1 ? value : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{at}.{name} is {value}; it must be at least 1."));
    }

    public static double Double(JsonElement e, string name, string at, double fallback)
    {
        if (!e.TryGetProperty(name, out JsonElement v))
            return fallback;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new FormatException($"{at}.{name} must be a number.");
    }

    public static bool Bool(JsonElement e, string name, string at, bool fallback)
    {
        if (!e.TryGetProperty(name, out JsonElement v))
            return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"{at}.{name} must be true or false."),
        };
    }
}
