using System.Numerics;
using System.Text;
using System.Text.Json;
using FastNN.Data;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// The <c>__metadata__</c> of a FastNN model file: string values under fixed keys, JSON where a value is structured.
/// </summary>
/// <remarks><code>
/// format                          "pt" (tensors in PyTorch's state-dict names and layouts)
/// fastnn.version                  "1", the layout of these keys
/// fastnn.architecture             Sequential.ToJson() (absent for a model with a layer of your own)
/// fastnn.task                     "Regression", "BinaryClassification" or "MultiClassClassification"
/// fastnn.class_labels             JSON array of strings, class index order
/// fastnn.feature_names            JSON array of strings, column order
/// fastnn.target_name              the name itself
/// fastnn.input_standardization    {"mean": [μ…], "scale": [σ…]}
/// fastnn.target_standardization   {"mean": [μ], "scale": [σ]}
/// fastnn.notes                    JSON object of strings, ModelInfo.Notes
/// </code>Keys the reader does not know are ignored, so files may carry metadata of their own.</remarks>
internal static class ModelMetadata
{
    public const string Version = "1";
    private const string VersionKey = "fastnn.version";
    public const string ArchitectureKey = "fastnn.architecture";
    private const string TaskKey = "fastnn.task";
    private const string ClassLabelsKey = "fastnn.class_labels";
    private const string FeatureNamesKey = "fastnn.feature_names";
    private const string TargetNameKey = "fastnn.target_name";
    private const string InputKey = "fastnn.input_standardization";
    private const string TargetKey = "fastnn.target_standardization";
    private const string NotesKey = "fastnn.notes";

    /// <summary>The metadata of <paramref name="model"/> with <paramref name="info"/> (checked already).</summary>
    public static Dictionary<string, string> Write<T>(Sequential<T> model, ModelInfo info) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", [VersionKey] = Version };
        if (LayerJson.Undescribed(model.Layers) is null) // a layer of your own, at any depth: no architecture
            metadata[ArchitectureKey] = model.ToJson();
        if (info.Task is TaskKind task)
            metadata[TaskKey] = task.ToString();
        if (info.ClassLabels is not null)
            metadata[ClassLabelsKey] = Json(w => Strings(w, info.ClassLabels));
        if (info.FeatureNames is not null)
            metadata[FeatureNamesKey] = Json(w => Strings(w, info.FeatureNames));
        if (info.TargetName is not null)
            metadata[TargetNameKey] = info.TargetName;
        if (info.Input is not null)
            metadata[InputKey] = Json(w => WriteStandardizer(w, info.Input));
        if (info.Target is not null)
            metadata[TargetKey] = Json(w => WriteStandardizer(w, info.Target));
        if (info.Notes is not null)
            metadata[NotesKey] = Json(w => StringMap(w, info.Notes));
        return metadata;
    }

    /// <summary>Checks <paramref name="info"/> against a model's widths (the rules of <see cref="ModelInfo"/>).</summary>
    /// <returns>The first rule broken, or null.</returns>
    public static string? Problem(ModelInfo info, int inputSize, int outputSize)
    {
        if (info.Task is TaskKind task)
        {
            if (!Enum.IsDefined(task))
                return $"Task {(int)task} is not a TaskKind.";
            bool oneOutput = task is TaskKind.Regression or TaskKind.BinaryClassification;
            if (oneOutput ? outputSize != 1 : outputSize < 2)
                return $"A {task} model needs {(oneOutput ? "1 output" : "at least 2 outputs")}; this one has {outputSize}.";
        }
        if (info.ClassLabels is { } labels)
        {
            int wanted = info.Task switch
            {
                TaskKind.BinaryClassification => 2,
                TaskKind.MultiClassClassification => outputSize,
                _ => -1,
            };
            if (wanted < 0)
                return $"ClassLabels need a classification Task, not {(info.Task is null ? "none" : info.Task)}.";
            if (labels.Count != wanted)
                return $"ClassLabels has {labels.Count} labels; a {info.Task} model with {outputSize} output(s) needs {wanted}.";
            if (labels.Any(l => l is null))
                return "ClassLabels holds a null label.";
            // As a Dataset and a CSV class column: a class its label cannot name, or two classes one label names, would
            // make a prediction's label ambiguous and a labelled file unreadable.
            if (labels.Any(l => l.Length == 0))
                return "ClassLabels holds an empty label.";
            if (Repeated(labels) is { } repeat)
                return $"ClassLabels holds {repeat}.";
        }
        if (info.FeatureNames is { } names)
        {
            if (names.Count != inputSize)
                return $"FeatureNames has {names.Count} names; the model takes {inputSize} inputs.";
            if (names.Any(n => n is null))
                return "FeatureNames holds a null name.";
            // As a CSV header: the columns are found by name, and one name cannot find two.
            if (Repeated(names) is { } repeat)
                return $"FeatureNames holds {repeat}.";
            // A file to evaluate finds the target by name too, and one column cannot be both it and a feature.
            if (info.TargetName is { } targetName && NormalForm.IndexOf(names, targetName) is int feature and >= 0)
                return $"TargetName '{targetName}' is also FeatureNames[{feature}]{(names[feature] == targetName ? "" : $" ('{names[feature]}', one name in Unicode normal form C)")}; the target needs a name of its own.";
        }
        if (info.Input is { } input && input.FeatureCount != inputSize)
            return $"The Input standardizer has {input.FeatureCount} features; the model takes {inputSize} inputs.";
        if (info.Target is { } target)
        {
            if (info.Task != TaskKind.Regression)
                return $"A Target standardizer needs Task Regression, not {(info.Task is null ? "none" : info.Task)}.";
            if (target.FeatureCount != 1)
                return $"The Target standardizer has {target.FeatureCount} features; a regression target has 1.";
        }
        if (info.Notes is { } notes && notes.FirstOrDefault(n => n.Value is null).Key is string empty)
            return $"Notes['{empty}'] is null.";
        return LoneSurrogate(info);
    }

    // A lone surrogate has no UTF-8 encoding, so the header's JSON writer would put U+FFFD in its place: a class renamed
    // silently, and two labels that differ only there made one, which Load then refuses.
    private static string? LoneSurrogate(ModelInfo info)
    {
        (string What, string? Text)[] texts =
        [
            .. (info.ClassLabels ?? []).Select((label, i) => ($"ClassLabels[{i}]", label)),
            .. (info.FeatureNames ?? []).Select((name, i) => ($"FeatureNames[{i}]", name)),
            ("TargetName", info.TargetName),
            .. (info.Notes ?? new Dictionary<string, string>()).SelectMany(n => new[] { ("A name in Notes", n.Key), ($"Notes['{n.Key}']", n.Value) }),
        ];
        foreach ((string what, string? text) in texts)
        {
            if (text is not null && Utf8Text.LoneSurrogate(text) is { } problem)
                return $"{what} holds {problem}.";
        }
        return null;
    }

    /// <summary>
    /// The first string that appears twice, compared as a CSV header's names and a class column's labels are (in Unicode
    /// normal form C), as "'x' twice", with how the second is written where it differs; or null.
    /// </summary>
    private static string? Repeated(IReadOnlyList<string> values) =>
        NormalForm.FirstRepeat(values) is var (first, second)
            ? $"'{values[first]}' twice{(NormalForm.SecondWritten(values[first], values[second]) is { } written ? $" ({written})" : "")}"
            : null;

    /// <summary>The layers the file describes, not yet given any buffer, and the described largest batch.</summary>
    /// <exception cref="ModelFileException">The file has no architecture, or it is malformed.</exception>
    public static (List<ILayer<T>> Layers, LayerChain<T> Chain, int MaxBatch) ReadArchitecture<T>(SafetensorsFile file)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckVersion(file);
        if (!file.Header.Metadata.TryGetValue(ArchitectureKey, out string? json))
            throw file.Error($"the file has no {ArchitectureKey} metadata, so it does not say which model to build; build the model yourself, read the weights with ModelFile.LoadWeights and the info with ModelFile.ReadInfo(path, model).");
        try
        {
            (List<ILayer<T>> layers, int maxBatch) = LayerJson.Read<T>(json);
            return (layers, new LayerChain<T>(layers, j => $"Layer {j}", "layers"), maxBatch);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw file.Error($"{ArchitectureKey} does not describe a model: {e.Message}", e);
        }
    }

    /// <summary>The info the file records, checked against the widths of the model it is for.</summary>
    /// <exception cref="ModelFileException">A value is malformed or does not fit the model.</exception>
    public static ModelInfo ReadInfo(SafetensorsFile file, int inputSize, int outputSize)
    {
        CheckVersion(file);
        IReadOnlyDictionary<string, string> metadata = file.Header.Metadata;
        var info = new ModelInfo
        {
            Task = metadata.TryGetValue(TaskKey, out string? task) ? ParseTask(file, task) : null,
            ClassLabels = metadata.TryGetValue(ClassLabelsKey, out string? labels) ? ParseStrings(file, ClassLabelsKey, labels) : null,
            FeatureNames = metadata.TryGetValue(FeatureNamesKey, out string? names) ? ParseStrings(file, FeatureNamesKey, names) : null,
            TargetName = metadata.GetValueOrDefault(TargetNameKey),
            Input = metadata.TryGetValue(InputKey, out string? input) ? ParseStandardizer(file, InputKey, input) : null,
            Target = metadata.TryGetValue(TargetKey, out string? target) ? ParseStandardizer(file, TargetKey, target) : null,
            Notes = metadata.TryGetValue(NotesKey, out string? notes) ? ParseStringMap(file, NotesKey, notes) : null,
        };
        if (Problem(info, inputSize, outputSize) is { } problem)
            throw file.Error($"the metadata does not fit the model: {problem}");
        return info;
    }

    private static void CheckVersion(SafetensorsFile file)
    {
        if (file.Header.Metadata.TryGetValue(VersionKey, out string? version) && version != Version)
            throw file.Error($"{VersionKey} is '{version}'; this FastNN reads version {Version}.");
    }

    private static TaskKind ParseTask(SafetensorsFile file, string text) =>
        Enum.GetNames<TaskKind>().Contains(text)
            ? Enum.Parse<TaskKind>(text)
            : throw file.Error($"{TaskKey} is '{text}'; expected one of {string.Join(", ", Enum.GetNames<TaskKind>())}.");

    private static string[] ParseStrings(SafetensorsFile file, string key, string json) => Parse(file, key, json, root =>
    {
        if (root.ValueKind != JsonValueKind.Array)
            return null;
        var values = new List<string>();
        foreach (JsonElement item in root.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                return null;
            values.Add(item.GetString()!);
        }
        return values.ToArray();
    }, "a JSON array of strings");

    private static Dictionary<string, string> ParseStringMap(SafetensorsFile file, string key, string json) => Parse(file, key, json, root =>
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String || !values.TryAdd(property.Name, property.Value.GetString()!))
                return null;
        }
        return values;
    }, "a JSON object of distinct names with string values");

    private static Standardizer ParseStandardizer(SafetensorsFile file, string key, string json) => Parse(file, key, json, root =>
        root.ValueKind == JsonValueKind.Object && root.EnumerateObject().Count() == 2
        && Numbers(root, "mean") is { } mean && Numbers(root, "scale") is { } scale
            ? new Standardizer(mean, scale)
            : null, "{\"mean\": [numbers], \"scale\": [numbers]} with one finite mean and one positive scale per feature");

    private static double[]? Numbers(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            return null;
        var values = new List<double>();
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v))
                return null;
            values.Add(v);
        }
        return values.ToArray();
    }

    /// <summary>Parses a JSON metadata value with <paramref name="read"/>, which returns null when the value has the wrong form.</summary>
    private static TResult Parse<TResult>(SafetensorsFile file, string key, string json, Func<JsonElement, TResult?> read, string form)
        where TResult : class
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return read(document.RootElement) ?? throw file.Error($"{key} must be {form}.");
        }
        catch (JsonException e)
        {
            throw file.Error($"{key} is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw file.Error($"{key} must be {form}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Valid JSON may still escape a lone surrogate (\ud800), which System.Text.Json finds only when the text is read.
            throw file.Error($"{key} holds a text that is not valid UTF-16: {e.Message}", e);
        }
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Strings(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteStartArray();
        foreach (string v in values)
            writer.WriteStringValue(v);
        writer.WriteEndArray();
    }

    private static void StringMap(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> values)
    {
        writer.WriteStartObject();
        foreach ((string name, string value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            writer.WriteString(name, value);
        writer.WriteEndObject();
    }

    private static void WriteStandardizer(Utf8JsonWriter writer, Standardizer standardizer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("mean");
        foreach (double v in standardizer.Means)
            writer.WriteNumberValue(v);
        writer.WriteEndArray();
        writer.WriteStartArray("scale");
        foreach (double v in standardizer.Scales)
            writer.WriteNumberValue(v);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
