using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's learning-rate schedule, to refuse a resume under another one: its type,
/// whether it advances per step or per epoch, and the rates it gives at 0, at the saved position t and at t + 1 (the
/// first position the resumed run uses). A schedule is a function the checkpoint cannot hold, so this is a
/// fingerprint: two schedules of one type that agree at those three positions pass.
/// </summary>
/// <param name="Type">The schedule's full type name, or null for a trainer without a schedule.</param>
/// <param name="EachStep"><see cref="Trainer{T}.ScheduleEachStep"/>.</param>
/// <param name="At">The saved position: the step count when per step, the completed epochs when per epoch.</param>
/// <param name="Rates">The rates at 0, At and At + 1.</param>
internal sealed record CheckpointSchedule(string? Type, bool EachStep, long At, double[] Rates)
{
    public static CheckpointSchedule Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long at = trainer.ScheduleEachStep ? trainer.Steps : trainer.CompletedEpochs;
        return new CheckpointSchedule(trainer.Schedule?.GetType().FullName, trainer.ScheduleEachStep, at, RatesOf(trainer.Schedule, at));
    }

    /// <summary>How <paramref name="trainer"/>'s schedule differs from this one, or null when it is the same as far as the record tells.</summary>
    public string? Difference<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ILearningRateSchedule? schedule = trainer.Schedule;
        string saved = Type is null ? "no learning-rate schedule" : $"a {Name(Type)} learning-rate schedule per {(EachStep ? "step" : "epoch")}";
        if (Type is null != schedule is null || (schedule is not null && (schedule.GetType().FullName != Type || trainer.ScheduleEachStep != EachStep)))
            return $"the run was saved with {saved}, the trainer has {(schedule is null ? "none" : $"a {schedule.GetType().Name} per {(trainer.ScheduleEachStep ? "step" : "epoch")}")}";
        double[] rates = RatesOf(schedule, At);
        long[] positions = [0, At, At + 1];
        for (int i = 0; i < rates.Length; i++)
        {
            if (rates[i].CompareTo(Rates[i]) != 0)
                return string.Create(CultureInfo.InvariantCulture,
                    $"the run's {saved} gives learning rate {Rates[i]:R} at {(EachStep ? "step" : "epoch")} {positions[i]}, the trainer's schedule {rates[i]:R}");
        }
        return null;
    }

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        if (Type is null)
            writer.WriteNull("type");
        else
            writer.WriteString("type", Type);
        writer.WriteBoolean("each_step", EachStep);
        writer.WriteNumber("at", At);
        writer.WriteStartArray("rates");
        foreach (double rate in Rates)
            writer.WriteNumberValue(rate);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed.</exception>
    public static CheckpointSchedule Read(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("type", out JsonElement type) || type.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
            || !value.TryGetProperty("each_step", out JsonElement eachStep) || eachStep.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !value.TryGetProperty("at", out JsonElement at) || !at.TryGetInt64(out long position) || position < 0
            || !value.TryGetProperty("rates", out JsonElement rates) || rates.ValueKind != JsonValueKind.Array || rates.GetArrayLength() != 3
            || rates.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.Number))
            throw new FormatException("schedule must be {\"type\": name or null, \"each_step\": bool, \"at\": position, \"rates\": [3 numbers]}.");
        return new CheckpointSchedule(type.GetString(), eachStep.GetBoolean(), position, [.. rates.EnumerateArray().Select(r => r.GetDouble())]);
    }

    private static double[] RatesOf(ILearningRateSchedule? schedule, long at) =>
        schedule is null ? [0, 0, 0] : [schedule.LearningRate(0), schedule.LearningRate(at), schedule.LearningRate(at + 1)];

    private static string Name(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];
}
