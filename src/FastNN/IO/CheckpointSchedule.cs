using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's learning-rate schedule, to refuse a resume under another one: its type,
/// whether it advances per step or per epoch, and its rate at 0. A schedule is a function the checkpoint cannot hold,
/// so this is a fingerprint; its horizon (a cosine's <c>tMax</c>, say) is left free, so that a run can be extended.
/// </summary>
/// <param name="Type">The schedule's full type name, or null for a trainer without a schedule.</param>
/// <param name="EachStep"><see cref="Trainer{T}.ScheduleEachStep"/>.</param>
/// <param name="InitialRate">The schedule's rate at 0 (0 without a schedule).</param>
internal sealed record CheckpointSchedule(string? Type, bool EachStep, double InitialRate)
{
    public static CheckpointSchedule Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(trainer.Schedule?.GetType().FullName, trainer.ScheduleEachStep, trainer.Schedule?.LearningRate(0) ?? 0);

    /// <summary>How <paramref name="trainer"/>'s schedule differs from this one, or null when it is the same as far as the record tells.</summary>
    public string? Difference<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckpointSchedule current = Of(trainer);
        if (current.Type == Type && current.EachStep == EachStep && current.InitialRate.CompareTo(InitialRate) == 0)
            return null;
        return $"the run was saved with {Describe(current)}, the trainer has {current.Describe(this)}";
    }

    // This schedule, with the rate only when the other one has the same type.
    private string Describe(CheckpointSchedule other) => Type is null
        ? "no learning-rate schedule"
        : string.Create(CultureInfo.InvariantCulture,
            $"a {Type[(Type.LastIndexOf('.') + 1)..]} per {(EachStep ? "step" : "epoch")}{(other.Type == Type ? $" starting at {InitialRate:R}" : "")}");

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        if (Type is null)
            writer.WriteNull("type");
        else
            writer.WriteString("type", Type);
        writer.WriteBoolean("each_step", EachStep);
        writer.WriteNumber("initial_rate", InitialRate);
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed.</exception>
    public static CheckpointSchedule Read(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("type", out JsonElement type) || type.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
            || !value.TryGetProperty("each_step", out JsonElement eachStep) || eachStep.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !value.TryGetProperty("initial_rate", out JsonElement rate) || rate.ValueKind != JsonValueKind.Number)
            throw new FormatException("schedule must be {\"type\": name or null, \"each_step\": true or false, \"initial_rate\": number}.");
        return new CheckpointSchedule(type.GetString(), eachStep.GetBoolean(), rate.GetDouble());
    }
}
