using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Training;
using static FastNN.IO.CheckpointMetadata;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's gradient clipping, as the <c>gradient_clipping</c> value of
/// <c>fastnn.checkpoint</c>: <see cref="Trainer{T}.MaxGradientNorm"/> and <see cref="Trainer{T}.MaxGradientValue"/>, each a
/// number or null (not clipped). A run resumed under other clipping would take other steps from the first one on, so
/// it is refused. Absent from files written before the clipping was recorded: those resume unchecked, as they did.
/// </summary>
internal sealed record CheckpointClipping(double? MaxNorm, double? MaxValue)
{
    public static CheckpointClipping Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(trainer.MaxGradientNorm, trainer.MaxGradientValue);

    /// <summary>How <paramref name="trainer"/>'s clipping differs from the saved run's, both values named; null when it does not.</summary>
    public string? Difference<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var differences = new List<string>();
        if (trainer.MaxGradientNorm != MaxNorm)
            differences.Add(Describe(nameof(Trainer<T>.MaxGradientNorm), MaxNorm, trainer.MaxGradientNorm));
        if (trainer.MaxGradientValue != MaxValue)
            differences.Add(Describe(nameof(Trainer<T>.MaxGradientValue), MaxValue, trainer.MaxGradientValue));
        return differences.Count > 0 ? string.Join("; ", differences) : null;
    }

    private static string Describe(string property, double? saved, double? trainer) =>
        $"Trainer.{property} is {Show(saved)} in the checkpoint, {Show(trainer)} in the trainer's";

    private static string Show(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "null";

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        WriteLimit(writer, "max_norm", MaxNorm);
        WriteLimit(writer, "max_value", MaxValue);
        writer.WriteEndObject();
    }

    private static void WriteLimit(Utf8JsonWriter writer, string name, double? limit)
    {
        if (limit is double value)
            writer.WriteNumber(name, value);
        else
            writer.WriteNull(name);
    }

    /// <exception cref="FormatException">A limit is missing, or neither null nor a finite non-negative number (as the trainer takes); the message names it.</exception>
    public static CheckpointClipping Read(JsonElement value) => Under("gradient_clipping", () =>
    {
        Keys(value, "", "max_norm", "max_value");
        return new CheckpointClipping(ReadLimit(value, "max_norm"), ReadLimit(value, "max_value"));
    });

    private static double? ReadLimit(JsonElement root, string name)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Null)
            return null;
        double limit = Get(root, name, JsonValueKind.Number).GetDouble();
        return limit >= 0 && double.IsFinite(limit) ? limit : throw new FormatException($"{name} must be null or a finite non-negative number.");
    }
}
