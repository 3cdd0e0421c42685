using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Losses;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's loss, to refuse a resume under another one: a run resumed under another
/// loss would train on other gradients, and early stopping would compare its validation losses with a best measured
/// under the saved one. A built-in loss is recorded whole, by type and parameters (<see cref="HuberLoss{T}"/>'s δ); a
/// loss of your own by its type name only, since its parameters (fields, captured settings) cannot be known.
/// </summary>
/// <param name="Type">The loss's full type name, without its element type (<c>FastNN.Losses.HuberLoss</c>; a loss of
/// your own generic in other types too lists them, the element type written T), so that a float run and a double run
/// of one loss record the same name.</param>
/// <param name="Parameters">A built-in loss's parameters by name, values as invariant round-trip text (empty when it has
/// none); null for a loss of your own.</param>
internal sealed record CheckpointLoss(string Type, IReadOnlyList<KeyValuePair<string, string>>? Parameters)
{
    public static CheckpointLoss Of<T>(ILoss<T> loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string type = CheckpointParameters.TypeName(loss.GetType(), typeof(T));
        return loss switch
        {
            HuberLoss<T> huber => new(type, [new("delta", huber.Delta.ToString("R", CultureInfo.InvariantCulture))]),
            MseLoss<T> or BceWithLogitsLoss<T> or SoftmaxCrossEntropyLoss<T> => new(type, []),
            _ => new(type, null),
        };
    }

    /// <summary>How <paramref name="loss"/> differs from this one, or null when it is the same as far as the record tells
    /// (a loss of your own: the same type).</summary>
    public string? Difference<T>(ILoss<T> loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckpointLoss current = Of(loss);
        if (CheckpointParameters.Difference(Type, Parameters, current.Type, current.Parameters) is not { } parameters)
            return null;
        return $"the run was saved with {Describe(parameters)}, the trainer has {current.Describe(parameters)}";
    }

    // A built-in loss by its short name, with the parameters named that differ; a loss of your own by its full name.
    private string Describe(string[] differing)
    {
        if (Parameters is null)
            return $"{Type} (a loss of your own: only its type is recorded)";
        return CheckpointParameters.Describe(Type[(Type.LastIndexOf('.') + 1)..], Parameters, differing);
    }

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        writer.WriteString("type", Type);
        CheckpointParameters.Write(writer, Parameters);
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed, or holds a text that is not valid UTF-16 (a lone
    /// surrogate escaped, which System.Text.Json reports as an <see cref="InvalidOperationException"/> when read).</exception>
    public static CheckpointLoss Read(JsonElement value)
    {
        try
        {
            return ReadChecked(value);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"loss holds a text that is not valid UTF-16: {e.Message}", e);
        }
    }

    private static CheckpointLoss ReadChecked(JsonElement value)
    {
        CheckpointMetadata.Keys(value, "loss.", "type", "parameters");
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString() is "")
            throw new FormatException("loss must be {\"type\": name, optionally \"parameters\": {name: text}}.");
        List<KeyValuePair<string, string>>? parameters = CheckpointParameters.Read(value, "loss");
        return new CheckpointLoss(type.GetString()!, parameters);
    }
}
