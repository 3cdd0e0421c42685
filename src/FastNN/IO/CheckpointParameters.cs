using System.Text.Json;

namespace FastNN.IO;

/// <summary>
/// The parameters a checkpoint records of a built-in schedule or loss (<see cref="CheckpointSchedule"/>,
/// <see cref="CheckpointLoss"/>): names with invariant round-trip texts, in the order the object lists them, written
/// as one optional JSON object <c>"parameters": {name: text}</c> and compared by name.
/// </summary>
internal static class CheckpointParameters
{
    /// <summary>Writes <c>"parameters"</c> unless <paramref name="parameters"/> is null.</summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>>? parameters)
    {
        if (parameters is null)
            return;
        writer.WriteStartObject("parameters");
        foreach ((string key, string value) in parameters)
            writer.WriteString(key, value);
        writer.WriteEndObject();
    }

    /// <summary>Reads the optional <c>"parameters"</c> of <paramref name="record"/>, null when absent.</summary>
    /// <param name="record">The record's object.</param>
    /// <param name="owner">The record's key, for messages (<c>schedule</c>, <c>loss</c>).</param>
    /// <exception cref="FormatException">It is not an object of texts, each named once.</exception>
    public static List<KeyValuePair<string, string>>? Read(JsonElement record, string owner)
    {
        if (!record.TryGetProperty("parameters", out JsonElement given))
            return null;
        if (given.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{owner}.parameters must be an object of texts.");
        List<KeyValuePair<string, string>> parameters = [];
        foreach (JsonProperty p in given.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String || parameters.Any(q => q.Key == p.Name))
                throw new FormatException($"{owner}.parameters.{p.Name} must be a text, named once.");
            parameters.Add(new(p.Name, p.Value.GetString()!));
        }
        return parameters;
    }

    /// <summary>The names whose values differ or that one side lacks, in the order the saved run lists them, then the trainer's.</summary>
    public static string[] Differing(IReadOnlyList<KeyValuePair<string, string>> saved, IReadOnlyList<KeyValuePair<string, string>> current)
    {
        Dictionary<string, string> there = saved.ToDictionary(p => p.Key, p => p.Value), here = current.ToDictionary(p => p.Key, p => p.Value);
        return [.. saved.Concat(current).Select(p => p.Key).Distinct()
            .Where(name => !there.TryGetValue(name, out string? a) || !here.TryGetValue(name, out string? b) || a != b)];
    }

    /// <summary><paramref name="described"/>, followed by the values of the parameters named in <paramref name="differing"/>, if any.</summary>
    public static string Describe(string described, IReadOnlyList<KeyValuePair<string, string>>? parameters, string[] differing)
    {
        string[] values = [.. (parameters ?? []).Where(p => differing.Contains(p.Key)).Select(p => $"{p.Key} {p.Value}")];
        return values.Length == 0 ? described : $"{described} ({string.Join(", ", values)})";
    }
}
