using System.Text.Json;

namespace FastNN.IO;

/// <summary>
/// The parameters a checkpoint records of a built-in schedule, loss or penalty (<see cref="CheckpointSchedule"/>,
/// <see cref="CheckpointLoss"/>, <see cref="CheckpointRegularizer"/>): names with invariant round-trip texts, in the
/// order the object lists them, written as one optional JSON object <c>"parameters": {name: text}</c> and compared by
/// name; and the type names the loss and the regularizer are recorded under.
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

    /// <summary>
    /// Between the saved run's record (<paramref name="savedType"/>, <paramref name="saved"/>) and the trainer's: null
    /// when they are the same as far as the records tell (one type, no parameter differing), else the parameters that
    /// differ (none named when the types differ or a side records none).
    /// </summary>
    public static string[]? Difference(string? savedType, IReadOnlyList<KeyValuePair<string, string>>? saved,
        string? currentType, IReadOnlyList<KeyValuePair<string, string>>? current)
    {
        string[] differing = saved is null || current is null || currentType != savedType ? [] : Differing(saved, current);
        return currentType == savedType && differing.Length == 0 ? null : differing;
    }

    /// <summary>Writes <c>"type"</c>: <paramref name="type"/>, or null.</summary>
    public static void WriteType(Utf8JsonWriter writer, string? type)
    {
        if (type is null)
            writer.WriteNull("type");
        else
            writer.WriteString("type", type);
    }

    /// <summary><paramref name="described"/>, followed by the values of the parameters named in <paramref name="differing"/>, if any.</summary>
    public static string Describe(string described, IReadOnlyList<KeyValuePair<string, string>>? parameters, string[] differing)
    {
        string[] values = [.. (parameters ?? []).Where(p => differing.Contains(p.Key)).Select(p => $"{p.Key} {p.Value}")];
        return values.Length == 0 ? described : $"{described} ({string.Join(", ", values)})";
    }

    // The full name of the type, or of its generic definition without its own arity (HuberLoss`1 → HuberLoss) and
    // with its type arguments, the element type written T, when one is another type (Scaled`2 of float and Halved →
    // Scaled[T,Halved]). Only an arity that ends the name goes: a type nested in a generic one (Outer`1+Halved) is a
    // generic type too, and cutting at its outer class's tick would give every loss or regularizer nested there the same name.
    public static string TypeName(Type type, Type element)
    {
        if (!type.IsGenericType)
            return type.FullName ?? type.Name;
        string name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        int tick = name.LastIndexOf('`');
        if (tick >= 0 && name.AsSpan(tick + 1).IndexOfAnyExceptInRange('0', '9') < 0)
            name = name[..tick];
        Type[] arguments = type.GetGenericArguments();
        return arguments.All(a => a == element) ? name
            : $"{name}[{string.Join(",", arguments.Select(a => a == element ? "T" : TypeName(a, element)))}]";
    }
}
