using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Regularization;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's <see cref="Trainer{T}.Regularizer"/>, as the <c>regularizer</c> value of
/// <c>fastnn.checkpoint</c>, to refuse a resume under another one: a penalty enters every gradient and every reported
/// loss, so a run resumed under another would be neither the saved run nor a fresh one. A built-in penalty is recorded
/// by type and parameters (λ and the tensor kinds it penalizes), and so is its absence; a regularizer of your own by its
/// type name only, and not compared, on either side: it may wrap a penalty or only watch the steps (a hook that cancels
/// a Fit), which its type does not tell. Absent from files written before the regularizer was recorded: those resume
/// unchecked.
/// </summary>
/// <param name="Type">The regularizer's full type name without its element type (<c>FastNN.Regularization.L2Penalty</c>,
/// as <see cref="CheckpointParameters.TypeName"/> writes it), or null for a trainer without one.</param>
/// <param name="Parameters">A built-in penalty's <c>lambda</c> (invariant round-trip text) and <c>kinds</c> (their names
/// in the enum's order, comma-separated); null without a regularizer or for one of your own.</param>
internal sealed record CheckpointRegularizer(string? Type, IReadOnlyList<KeyValuePair<string, string>>? Parameters)
{
    public static CheckpointRegularizer Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T> => trainer.Regularizer switch
    {
        null => new(null, null),
        Penalty<T> penalty => new(CheckpointParameters.TypeName(penalty.GetType(), typeof(T)),
            [new("lambda", penalty.Lambda.ToString("R", CultureInfo.InvariantCulture)), new("kinds", string.Join(",", penalty.Kinds.Order()))]),
        IRegularizer<T> own => new(CheckpointParameters.TypeName(own.GetType(), typeof(T)), null),
    };

    /// <summary>How <paramref name="trainer"/>'s regularizer differs from the saved run's, or null when it is the same as far
    /// as the record tells, or when either is one of your own.</summary>
    public string? Difference<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckpointRegularizer current = Of(trainer);
        if (IsOwn || current.IsOwn)
            return null;
        if (CheckpointParameters.Difference(Type, Parameters, current.Type, current.Parameters) is not { } parameters)
            return null;
        return $"the run was saved with {Describe(parameters)}, the trainer has {current.Describe(parameters)}";
    }

    private bool IsOwn => Type is not null && Parameters is null;

    // A built-in penalty by its short name, with the parameters named that differ.
    private string Describe(string[] differing) =>
        Type is null ? "no regularizer" : CheckpointParameters.Describe(Type[(Type.LastIndexOf('.') + 1)..], Parameters, differing);

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        CheckpointParameters.WriteType(writer, Type);
        CheckpointParameters.Write(writer, Parameters);
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed.</exception>
    public static CheckpointRegularizer Read(JsonElement value)
    {
        CheckpointMetadata.Keys(value, "regularizer.", "type", "parameters");
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("type", out JsonElement type) || type.ValueKind is not (JsonValueKind.String or JsonValueKind.Null) || type.GetString() is "")
            throw new FormatException("regularizer must be {\"type\": name or null, optionally \"parameters\": {name: text}}.");
        return new CheckpointRegularizer(type.GetString(), CheckpointParameters.Read(value, "regularizer"));
    }
}
