using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's learning-rate schedule, to refuse a resume under another one: its type,
/// whether it advances per step or per epoch, its rate at 0 and, for the built-in schedules, every parameter but the
/// horizon (a warm-up's length and starting fraction, the schedule it wraps and that one's parameters). A schedule of
/// another type is a function the checkpoint cannot hold, so for it this is a fingerprint. The horizon (a cosine's
/// <c>tMax</c>) is left free, so that a run can be extended.
/// </summary>
/// <param name="Type">The schedule's full type name, or null for a trainer without a schedule.</param>
/// <param name="EachStep"><see cref="Trainer{T}.ScheduleEachStep"/>.</param>
/// <param name="InitialRate">The schedule's rate at 0 (0 without a schedule).</param>
/// <param name="Parameters">The built-in schedule's parameters by name, values as invariant round-trip text; null for
/// another type, or when the file was written before they were recorded (then compared as before: type, stepping, rate at 0).</param>
internal sealed record CheckpointSchedule(string? Type, bool EachStep, double InitialRate, IReadOnlyList<KeyValuePair<string, string>>? Parameters)
{
    public static CheckpointSchedule Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(trainer.Schedule?.GetType().FullName, trainer.ScheduleEachStep, trainer.Schedule?.LearningRate(0) ?? 0,
            trainer.Schedule is null ? null : ParametersOf(trainer.Schedule));

    /// <summary>How <paramref name="trainer"/>'s schedule differs from this one, or null when it is the same as far as the record tells.</summary>
    public string? Difference<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckpointSchedule current = Of(trainer);
        string[] parameters = Parameters is null || current.Parameters is null || current.Type != Type ? [] : CheckpointParameters.Differing(Parameters, current.Parameters);
        if (current.Type == Type && current.EachStep == EachStep && current.InitialRate.CompareTo(InitialRate) == 0 && parameters.Length == 0)
            return null;
        return $"the run was saved with {Describe(current, parameters)}, the trainer has {current.Describe(this, parameters)}";
    }

    // This schedule, with the rate only when the other one has the same type, and the parameters named that differ.
    private string Describe(CheckpointSchedule other, string[] differing)
    {
        if (Type is null)
            return "no learning-rate schedule";
        string described = string.Create(CultureInfo.InvariantCulture,
            $"a {Type[(Type.LastIndexOf('.') + 1)..]} per {(EachStep ? "step" : "epoch")}{(other.Type == Type ? $" starting at {InitialRate:R}" : "")}");
        return CheckpointParameters.Describe(described, Parameters, differing);
    }

    // Every parameter of a built-in schedule but its horizon (CosineAnnealingSchedule.TMax); null for another type.
    private static List<KeyValuePair<string, string>>? ParametersOf(ILearningRateSchedule schedule)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        return Add(parameters, "", schedule) ? parameters : null;
    }

    private static bool Add(List<KeyValuePair<string, string>> parameters, string prefix, ILearningRateSchedule schedule)
    {
        void Number(string name, double value) => parameters.Add(new(prefix + name, value.ToString("R", CultureInfo.InvariantCulture)));
        void Count(string name, long value) => parameters.Add(new(prefix + name, value.ToString(CultureInfo.InvariantCulture)));
        switch (schedule)
        {
            case ConstantSchedule s:
                Number("learning_rate", s.InitialLearningRate);
                return true;
            case CosineAnnealingSchedule s:
                Number("initial_learning_rate", s.InitialLearningRate);
                Number("min_learning_rate", s.MinLearningRate);
                return true;
            case ExponentialSchedule s:
                Number("initial_learning_rate", s.InitialLearningRate);
                Number("gamma", s.Gamma);
                return true;
            case InverseTimeSchedule s:
                Number("initial_learning_rate", s.InitialLearningRate);
                Number("decay", s.Decay);
                Count("steps_per_unit", s.StepsPerUnit);
                return true;
            case StepSchedule s:
                Number("initial_learning_rate", s.InitialLearningRate);
                Count("step_size", s.StepSize);
                Number("gamma", s.Gamma);
                return true;
            case WarmupSchedule s:
                Count("warmup", s.Warmup);
                Number("start_factor", s.StartFactor);
                parameters.Add(new(prefix + "after", s.After.GetType().FullName ?? ""));
                // A wrapped schedule of another type is told by its type name and, through the ramp, its rate at 0.
                Add(parameters, prefix + "after.", s.After);
                return true;
            default:
                return false;
        }
    }

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        CheckpointParameters.WriteType(writer, Type);
        writer.WriteBoolean("each_step", EachStep);
        writer.WriteNumber("initial_rate", InitialRate);
        CheckpointParameters.Write(writer, Parameters);
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed.</exception>
    public static CheckpointSchedule Read(JsonElement value)
    {
        CheckpointMetadata.Keys(value, "schedule.", "type", "each_step", "initial_rate", "parameters");
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("type", out JsonElement type) || type.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
            || !value.TryGetProperty("each_step", out JsonElement eachStep) || eachStep.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !value.TryGetProperty("initial_rate", out JsonElement rate) || rate.ValueKind != JsonValueKind.Number)
            throw new FormatException("schedule must be {\"type\": name or null, \"each_step\": true or false, \"initial_rate\": number, optionally \"parameters\": {name: text}}.");
        List<KeyValuePair<string, string>>? parameters = CheckpointParameters.Read(value, "schedule");
        return new CheckpointSchedule(type.GetString(), eachStep.GetBoolean(), rate.GetDouble(), parameters);
    }
}
