using System.Numerics;
using System.Text.Json;
using FastNN.Training;
using static FastNN.IO.CheckpointMetadata;

namespace FastNN.IO;

/// <summary>
/// What a checkpoint records of the trainer's early-stopping watch, as the <c>early_stopping</c> value of
/// <c>fastnn.checkpoint</c>: the watch (<see cref="EarlyStoppingState"/>: the best epoch's result, the epochs since it,
/// the validation rows) and the options that judged it (Patience, MinDelta, the watched number, RestoreBest), which a
/// resume must have. With RestoreBest and a best epoch, the best epoch's parameters and state are the tensors
/// <see cref="BestParameters"/> and <see cref="BestState"/> (flat, as the optimizer's buffers). Absent while no epoch
/// has been validated, and from files written before the watch was saved: the resumed run then starts its watch afresh,
/// as such files always did.
/// </summary>
/// <remarks>Doubles that are not finite (a NaN accuracy in regression, a NaN training loss) are written as
/// <see cref="CheckpointMetadata.WriteDouble"/> writes them.</remarks>
internal sealed record CheckpointEarlyStopping(EarlyStoppingState State, int Patience, double MinDelta, EarlyStoppingOn On, bool RestoreBest)
{
    public const string BestParameters = "early_stopping.best_parameters";
    public const string BestState = "early_stopping.best_state";

    /// <summary>The trainer's watch and the options it is kept under, or null while it has none.</summary>
    public static CheckpointEarlyStopping? Of<T>(Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T> =>
        trainer.EarlyStopping is { } state
            ? new(state, trainer.Options.Patience, trainer.Options.MinDelta, trainer.Options.EarlyStoppingOn, trainer.Options.RestoreBest)
            : null;

    /// <summary>Whether the file holds the best epoch's weights.</summary>
    public bool HasBestWeights => RestoreBest && State.Best is not null;

    /// <summary>
    /// The options of <paramref name="options"/> that differ from those the watch was kept under, each named with both
    /// values, or null when they are the same: under others the watch would not be the one the saved run would have
    /// (another MinDelta or watched number picks other best epochs, another Patience stops elsewhere, RestoreBest set
    /// has no best weights to put back).
    /// </summary>
    public IEnumerable<string> Differences(TrainerOptions options)
    {
        if (options.Patience != Patience)
            yield return Difference(nameof(TrainerOptions.Patience), Patience, options.Patience);
        if (options.MinDelta.CompareTo(MinDelta) != 0)
            yield return Difference(nameof(TrainerOptions.MinDelta), MinDelta, options.MinDelta);
        if (options.EarlyStoppingOn != On)
            yield return Difference(nameof(TrainerOptions.EarlyStoppingOn), On, options.EarlyStoppingOn);
        if (options.RestoreBest != RestoreBest)
            yield return Difference(nameof(TrainerOptions.RestoreBest), RestoreBest, options.RestoreBest);
    }

    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("patience", Patience);
        writer.WriteNumber("min_delta", MinDelta);
        writer.WriteString("watch", On == EarlyStoppingOn.ValidationLoss ? "validation_loss" : "validation_metric");
        writer.WriteBoolean("restore_best", RestoreBest);
        writer.WriteNumber("validation_rows", State.ValidationRows);
        writer.WriteNumber("epochs_since_best", State.EpochsSinceBest);
        if (State.Best is { } best)
        {
            writer.WriteStartObject("best");
            writer.WriteNumber("epoch", best.Epoch);
            WriteDouble(writer, "train_loss", best.TrainLoss);
            writer.WriteStartObject("validation");
            WriteDouble(writer, "loss", best.Validation!.Loss);
            WriteDouble(writer, "accuracy", best.Validation.Accuracy);
            WriteDouble(writer, "rmse", best.Validation.Rmse);
            WriteDouble(writer, "r_squared", best.Validation.RSquared);
            writer.WriteEndObject();
            WriteDouble(writer, "learning_rate", best.LearningRate);
            writer.WriteNumber("steps", best.Steps);
            writer.WriteNumber("elapsed_ticks", best.Elapsed.Ticks);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The value is malformed, or counts more epochs than <paramref name="completedEpochs"/>; the message names the key (<c>early_stopping.best.epoch</c>).</exception>
    public static CheckpointEarlyStopping Read(JsonElement value, int completedEpochs) => Under("early_stopping", () =>
    {
        Keys(value, "", "patience", "min_delta", "watch", "restore_best", "validation_rows", "epochs_since_best", "best");
        int patience = Int(value, "patience");
        double minDelta = Get(value, "min_delta", JsonValueKind.Number).GetDouble();
        if (!(minDelta >= 0 && double.IsFinite(minDelta)))
            throw new FormatException("min_delta must be finite and non-negative.");
        EarlyStoppingOn on = Get(value, "watch", JsonValueKind.String).GetString() switch
        {
            "validation_loss" => EarlyStoppingOn.ValidationLoss,
            "validation_metric" => EarlyStoppingOn.ValidationMetric,
            _ => throw new FormatException("watch must be \"validation_loss\" or \"validation_metric\"."),
        };
        bool restoreBest = value.TryGetProperty("restore_best", out JsonElement restore) && restore.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? restore.GetBoolean()
            : throw new FormatException("restore_best must be true or false.");
        int validationRows = Int(value, "validation_rows"), since = Int(value, "epochs_since_best");
        if (validationRows < 1)
            throw new FormatException("validation_rows must be at least 1: epochs are watched on validation rows.");
        EpochResult? best = value.TryGetProperty("best", out JsonElement b) ? Under("best", () => ReadEpoch(b)) : null;
        if (best?.Epoch > completedEpochs)
            throw new FormatException($"best.epoch ({best.Epoch}) is beyond the epochs the run has completed ({completedEpochs}).");
        // Summed as longs: two counts each within an int may overflow one, and a negative sum would pass.
        if ((long)since + (best?.Epoch ?? 0) > completedEpochs)
            throw new FormatException($"epochs_since_best ({since}) counts epochs the run has not completed: {completedEpochs} completed, the best {best?.Epoch ?? 0}.");
        return new CheckpointEarlyStopping(new EarlyStoppingState(best, since, validationRows), patience, minDelta, on, restoreBest);
    });

    private static EpochResult ReadEpoch(JsonElement e)
    {
        Keys(e, "", "epoch", "train_loss", "validation", "learning_rate", "steps", "elapsed_ticks");
        int epoch = Int(e, "epoch");
        if (epoch < 1)
            throw new FormatException("epoch must be at least 1.");
        JsonElement validation = Get(e, "validation", JsonValueKind.Object);
        return new EpochResult(epoch, ReadDouble(e, "train_loss"),
            Under("validation", () =>
            {
                Keys(validation, "", "loss", "accuracy", "rmse", "r_squared");
                return new Evaluation(ReadDouble(validation, "loss"), ReadDouble(validation, "accuracy"), ReadDouble(validation, "rmse"), ReadDouble(validation, "r_squared"));
            }),
            ReadDouble(e, "learning_rate"), Count(e, "steps"), TimeSpan.FromTicks(Count(e, "elapsed_ticks")));
    }
}
