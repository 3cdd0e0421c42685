using System.Globalization;
using System.Text;
using System.Text.Json;
using FastNN.Layers;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// The training progress a checkpoint records besides tensors, as one JSON metadata value under
/// <c>fastnn.checkpoint</c>: the optimizer's algorithm, step count and hyper-parameters, the trainer's step and epoch
/// counts, the states of the dropout and shuffling generators (64-bit words as decimal strings, which every JSON
/// reader keeps exact), the seed of the trainer's validation split, the trainer's learning-rate schedule
/// (<see cref="CheckpointSchedule"/>), the epoch a Fit left unfinished (cancelled, or ended by a step that threw: <c>unfinished_epoch</c>, only when
/// there is one; its <c>loss_sum</c> is <c>"Infinity"</c> when huge batch losses overflowed it, see <see cref="WriteDouble"/>), the trainer's <c>shuffle</c>, <c>drop_last</c> and <c>validation_fraction</c> options, the <c>batches</c> its epochs last ran
/// (<see cref="EpochBatches"/>: <c>train_rows</c> and <c>batch_size</c> as run, only once an epoch has begun), and its early-stopping watch
/// (<see cref="CheckpointEarlyStopping"/>, only when an epoch has been validated), the trainer's loss
/// (<see cref="CheckpointLoss"/>), its gradient clipping (<see cref="CheckpointClipping"/>) and its regularizer
/// (<see cref="CheckpointRegularizer"/>). The seed, the schedule, the options, the batches, the loss, the clipping and the
/// regularizer are absent from files written
/// before they were recorded: null, and the trainer keeps its own (so such a file is not checked against them); a file
/// without the watch resumes with a fresh one.
/// </summary>
internal sealed record CheckpointMetadata(
    string Algorithm, long OptimizerSteps, IReadOnlyDictionary<string, double> HyperParameters,
    long TrainerSteps, int CompletedEpochs,
    (ulong, ulong, ulong, ulong) DropoutRandom, (ulong, ulong, ulong, ulong) ShuffleRandom, int? ValidationSeed,
    CheckpointSchedule? Schedule, EpochInProgress? Unfinished, bool? Shuffle, bool? DropLast, EpochBatches? Batches, double? ValidationFraction,
    CheckpointEarlyStopping? EarlyStopping,
    CheckpointLoss? Loss, CheckpointClipping? Clipping, CheckpointRegularizer? Regularizer)
{
    public const string Key = "fastnn.checkpoint";

    /// <summary>
    /// Refuses a checkpoint (the file's metadata has <see cref="Key"/>, which <see cref="Checkpoint.Save{T}"/> always
    /// writes) where a model file is read: its optimizer tensors would be reported as unexpected, or, for an optimizer
    /// without state, it would load as a model with the run's progress silently dropped.
    /// </summary>
    /// <exception cref="ModelFileException">The file is a checkpoint (<see cref="ModelFileException.IsCheckpoint"/>).</exception>
    public static void RefuseAsModel(SafetensorsFile file)
    {
        if (file.Header.Metadata.ContainsKey(Key))
            throw ModelFileException.Checkpoint(file.Path);
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("optimizer", Algorithm);
            writer.WriteNumber("optimizer_steps", OptimizerSteps);
            writer.WriteStartObject("hyper_parameters");
            foreach ((string name, double value) in HyperParameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                writer.WriteNumber(name, value);
            writer.WriteEndObject();
            writer.WriteNumber("trainer_steps", TrainerSteps);
            writer.WriteNumber("completed_epochs", CompletedEpochs);
            WriteRandom(writer, "dropout_random", DropoutRandom);
            WriteRandom(writer, "shuffle_random", ShuffleRandom);
            if (ValidationSeed is int seed)
                writer.WriteNumber("validation_seed", seed);
            Schedule?.Write(writer, "schedule");
            if (Unfinished is { } unfinished)
            {
                writer.WriteStartObject("unfinished_epoch");
                WriteRandom(writer, "shuffle_random", unfinished.ShuffleRandom);
                writer.WriteNumber("rows", unfinished.Rows);
                WriteDouble(writer, "loss_sum", unfinished.LossSum);   // +∞ when huge batch losses overflowed it
                writer.WriteNumber("rows_stepped", unfinished.RowsStepped);
                writer.WriteNumber("train_rows", unfinished.TrainRows);
                writer.WriteNumber("batch_size", unfinished.BatchSize);
                writer.WriteEndObject();
            }
            if (Shuffle is bool shuffle)
                writer.WriteBoolean("shuffle", shuffle);
            if (DropLast is bool dropLast)
                writer.WriteBoolean("drop_last", dropLast);
            if (Batches is { } batches)
            {
                writer.WriteStartObject("batches");
                writer.WriteNumber("train_rows", batches.TrainRows);
                writer.WriteNumber("batch_size", batches.BatchSize);
                writer.WriteEndObject();
            }
            if (ValidationFraction is double fraction)
                writer.WriteNumber("validation_fraction", fraction);
            EarlyStopping?.Write(writer, "early_stopping");
            Loss?.Write(writer, "loss");
            Clipping?.Write(writer, "gradient_clipping");
            Regularizer?.Write(writer, "regularizer");
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <exception cref="ModelFileException">The value is missing or malformed.</exception>
    public static CheckpointMetadata Read(SafetensorsFile file)
    {
        if (!file.Header.Metadata.TryGetValue(Key, out string? json))
            throw file.Error($"the file has no {Key} metadata: it is not a checkpoint (a model file loads with ModelFile.Load).");
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (RepeatedKey(root, "") is { } repeated)
                throw new FormatException($"'{repeated}' is given twice.");
            Keys(root, "", "optimizer", "optimizer_steps", "hyper_parameters", "trainer_steps", "completed_epochs", "dropout_random", "shuffle_random",
                "validation_seed", "schedule", "unfinished_epoch", "shuffle", "drop_last", "batches", "validation_fraction", "early_stopping", "loss", "gradient_clipping", "regularizer");
            var hyperParameters = new Dictionary<string, double>();
            foreach (JsonProperty p in Get(root, "hyper_parameters", JsonValueKind.Object).EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !hyperParameters.TryAdd(p.Name, p.Value.GetDouble()))
                    throw new FormatException($"hyper_parameters.{p.Name} must be a number, named once.");
            }
            int completedEpochs = Int(root, "completed_epochs");
            return new CheckpointMetadata(
                Get(root, "optimizer", JsonValueKind.String).GetString()!,
                Count(root, "optimizer_steps"),
                hyperParameters,
                Count(root, "trainer_steps"),
                completedEpochs,
                ReadRandom(root, "dropout_random"),
                ReadRandom(root, "shuffle_random"),
                root.TryGetProperty("validation_seed", out _) ? Seed(root, "validation_seed") : null,
                root.TryGetProperty("schedule", out JsonElement schedule) ? CheckpointSchedule.Read(schedule) : null,
                root.TryGetProperty("unfinished_epoch", out JsonElement unfinished) ? ReadUnfinished(unfinished) : null,
                Flag(root, "shuffle"),
                Flag(root, "drop_last"),
                root.TryGetProperty("batches", out JsonElement batches) ? ReadBatches(batches) : null,
                root.TryGetProperty("validation_fraction", out _) ? Fraction(root, "validation_fraction") : null,
                root.TryGetProperty("early_stopping", out JsonElement earlyStopping) ? CheckpointEarlyStopping.Read(earlyStopping, completedEpochs) : null,
                root.TryGetProperty("loss", out JsonElement loss) ? CheckpointLoss.Read(loss) : null,
                root.TryGetProperty("gradient_clipping", out JsonElement clipping) ? CheckpointClipping.Read(clipping) : null,
                root.TryGetProperty("regularizer", out JsonElement regularizer) ? CheckpointRegularizer.Read(regularizer) : null);
        }
        // InvalidOperationException: a text holding an escaped lone surrogate, which System.Text.Json only finds when read.
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            throw file.Error($"{Key} is malformed: {e.Message}", e);
        }
    }

    /// <summary>
    /// The path of the first key an object of <paramref name="e"/> gives twice (<c>early_stopping.best_epoch</c>), or null:
    /// a key given twice is refused, as in the header, since which value a reader takes is a guess the file does not
    /// settle. (System.Text.Json's own refusal, AllowDuplicateProperties, cuts a long name short in its message.)
    /// </summary>
    private static string? RepeatedKey(JsonElement e, string at)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in e.EnumerateObject())
            {
                string name;
                try
                {
                    name = p.Name;
                }
                catch (InvalidOperationException)
                {
                    continue; // an escaped lone surrogate: refused where the record is read, which says where it is
                }
                string path = at.Length == 0 ? name : $"{at}.{name}";
                if (!seen.Add(name))
                    return path;
                if (RepeatedKey(p.Value, path) is { } repeated)
                    return repeated;
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement item in e.EnumerateArray())
            {
                if (RepeatedKey(item, $"{at}[{i++}]") is { } repeated)
                    return repeated;
            }
        }
        return null;
    }

    // A run writes rows_stepped ≤ rows ≤ train_rows and a batch size of at least 1; other counts would give the epoch a
    // wrong mean loss or no step, so they make the file malformed rather than a run no Fit could have left.
    private static EpochInProgress ReadUnfinished(JsonElement e) => Under("unfinished_epoch", () =>
    {
        Keys(e, "", "shuffle_random", "rows", "loss_sum", "rows_stepped", "train_rows", "batch_size");
        var unfinished = new EpochInProgress(ReadRandom(e, "shuffle_random"), Int(e, "rows"),
            ReadDouble(e, "loss_sum"),
            Int(e, "rows_stepped"), Int(e, "train_rows"), Int(e, "batch_size"));
        if (unfinished.RowsStepped > unfinished.Rows)
            throw new FormatException($"rows_stepped ({unfinished.RowsStepped}) exceeds the rows done ({unfinished.Rows}).");
        if (unfinished.Rows > unfinished.TrainRows)
            throw new FormatException($"rows ({unfinished.Rows}) exceeds the training rows ({unfinished.TrainRows}).");
        if (unfinished.BatchSize == 0)
            throw new FormatException("batch_size must be at least 1.");
        return unfinished;
    });

    // A run writes 1 ≤ batch_size ≤ train_rows: the batch as run is capped at the rows.
    private static EpochBatches ReadBatches(JsonElement e) => Under("batches", () =>
    {
        Keys(e, "", "train_rows", "batch_size");
        var batches = new EpochBatches(Int(e, "train_rows"), Int(e, "batch_size"));
        if (batches.BatchSize == 0 || batches.BatchSize > batches.TrainRows)
            throw new FormatException($"batch_size ({batches.BatchSize}) must be from 1 to the training rows ({batches.TrainRows}).");
        return batches;
    });

    private static double Fraction(JsonElement root, string name) =>
        Get(root, name, JsonValueKind.Number).GetDouble() is var value && value >= 0 && value < 1
            ? value
            : throw new FormatException($"{name} must be in [0, 1).");

    /// <summary>
    /// How <paramref name="options"/> (of a model of <paramref name="maxBatch"/> rows) differ from the saved run's, where a
    /// resume under them would silently not be that run: Shuffle, DropLast, ValidationFraction and the batch size as run
    /// over the saved run's training rows (when the file records them: they place every row of every remaining epoch;
    /// a batch above those rows runs as one batch of all of them, so any such batch compares equal) and, when the file
    /// holds an early-stopping watch, the options that judge it. Null when none differs.
    /// </summary>
    public string? OptionsDifference(TrainerOptions options, int maxBatch)
    {
        var differences = new List<string>();
        if (Shuffle is bool shuffle && shuffle != options.Shuffle)
            differences.Add(Difference(nameof(TrainerOptions.Shuffle), shuffle, options.Shuffle));
        if (DropLast is bool dropLast && dropLast != options.DropLast)
            differences.Add(Difference(nameof(TrainerOptions.DropLast), dropLast, options.DropLast));
        if (ValidationFraction is double fraction && fraction != options.ValidationFraction)
            differences.Add(Difference(nameof(TrainerOptions.ValidationFraction), fraction, options.ValidationFraction));
        int batchSize = options.BatchSizeFor(maxBatch);
        if (Batches is { } batches && batches.BatchSize != Math.Min(batchSize, batches.TrainRows))
        {
            differences.Add(Difference(nameof(TrainerOptions.BatchSize),
                string.Create(CultureInfo.InvariantCulture, $"{batches.BatchSize} (as run over its {batches.TrainRows} training rows)"),
                options.BatchSize is null ? string.Create(CultureInfo.InvariantCulture, $"{batchSize} (unset: min(32, the model's MaxBatch of {maxBatch}))") : Format(batchSize)));
        }
        if (EarlyStopping is not null)
            differences.AddRange(EarlyStopping.Differences(options));
        return differences.Count > 0 ? string.Join("; ", differences) : null;
    }

    /// <summary>One option that differs, as the error messages name it.</summary>
    public static string Difference<TValue>(string option, TValue saved, TValue trainer) =>
        string.Create(CultureInfo.InvariantCulture, $"TrainerOptions.{option} is {Format(saved)} in the checkpoint, {Format(trainer)} in the trainer's");

    private static string Format<TValue>(TValue value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    private static bool? Flag(JsonElement root, string name) =>
        !root.TryGetProperty(name, out JsonElement value) ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new FormatException($"{name} must be true or false.");

    /// <summary>
    /// Refuses a key of the object <paramref name="e"/> that is none of <paramref name="keys"/>, naming it from
    /// <paramref name="at"/> (such as <c>schedule.</c>, or empty under <see cref="Under"/>). A key no FastNN writes (a
    /// misspelt or damaged one) would leave its part absent, read as a file written before that part was recorded: the run
    /// would resume as another (the trainer's own validation split, a fresh early-stopping watch, an unfinished epoch dropped).
    /// </summary>
    /// <exception cref="FormatException">A key is not one of <paramref name="keys"/>.</exception>
    internal static void Keys(JsonElement e, string at, params string[] keys)
    {
        if (e.ValueKind != JsonValueKind.Object)
            return; // each reader refuses another kind, saying what it expects
        foreach (JsonProperty p in e.EnumerateObject())
        {
            if (!keys.Contains(p.Name))
                throw new FormatException($"{at}{p.Name} is not a key FastNN writes there (it writes {string.Join(", ", keys)}).");
        }
    }

    internal static JsonElement Get(JsonElement root, string name, JsonValueKind kind) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out JsonElement value) && value.ValueKind == kind
            ? value
            : throw new FormatException($"{name} must be a JSON {kind}.");

    internal static long Count(JsonElement root, string name) =>
        Get(root, name, JsonValueKind.Number).TryGetInt64(out long value) && value >= 0
            ? value
            : throw new FormatException($"{name} must be a non-negative integer.");

    internal static int Int(JsonElement root, string name) =>
        Count(root, name) is var count && count <= int.MaxValue ? (int)count : throw new FormatException($"{name} must be at most {int.MaxValue}.");

    // Doubles that are not finite (a NaN accuracy in regression, a loss sum overflowed to +∞) are the strings "NaN",
    // "Infinity" and "-Infinity", as System.Text.Json's named floating-point literals; the others are numbers in their
    // shortest round-trip form, so they read back bit for bit.
    internal static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumber(name, value);
        else
            writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    internal static double ReadDouble(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) ? number
        : value.ValueKind == JsonValueKind.String && value.GetString() is "NaN" or "Infinity" or "-Infinity" ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
        : throw new FormatException($"{name} must be a number, \"NaN\", \"Infinity\" or \"-Infinity\".");

    // The readers name a key from where they stand (epoch); each level read under its key adds it (best.epoch, then
    // early_stopping.best.epoch), so a message names the key from the fastnn.checkpoint value's root.
    internal static TValue Under<TValue>(string key, Func<TValue> read)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new FormatException($"{key}.{e.Message}", e);
        }
    }

    private static int Seed(JsonElement root, string name) =>
        Get(root, name, JsonValueKind.Number).TryGetInt32(out int value)
            ? value
            : throw new FormatException($"{name} must be a 32-bit integer.");

    private static void WriteRandom(Utf8JsonWriter writer, string name, (ulong, ulong, ulong, ulong) state)
    {
        writer.WriteStartArray(name);
        foreach (ulong word in new[] { state.Item1, state.Item2, state.Item3, state.Item4 })
            writer.WriteStringValue(word.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndArray();
    }

    private static (ulong, ulong, ulong, ulong) ReadRandom(JsonElement root, string name)
    {
        ulong[] words = Get(root, name, JsonValueKind.Array).EnumerateArray()
            .Select(w => w.ValueKind == JsonValueKind.String && ulong.TryParse(w.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
                ? v
                : throw new FormatException($"{name} must hold 64-bit words as decimal strings."))
            .ToArray();
        // xoshiro256** never leaves the all-zero state, so no generator can have saved it.
        if (words.Length != 4 || words.All(w => w == 0))
            throw new FormatException($"{name} must hold the four words of a {nameof(FastRandom)} state, not all zero.");
        return (words[0], words[1], words[2], words[3]);
    }
}
