using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastNN.Data;
using FastNN.IO;

namespace FastNN.Cli.Training;

/// <summary>
/// The options that define a training run, recorded in its model file and checkpoints (<see cref="ModelInfo.Notes"/>,
/// by option name), so that <c>--resume</c> can check that a run goes on with the options it started with: a run
/// resumed with other ones would end neither as the original nor as a fresh run with the new ones; and the rows it
/// trains on (<see cref="RowsKey"/>), for the same reason.
/// </summary>
/// <remarks>
/// Left out: what does not change the rest of the run (<c>--init</c>, whose weights the checkpoint replaces; the
/// threads; the files written). <c>--epochs</c> is recorded but compared only under the cosine schedule, which anneals
/// over the run's epochs: otherwise a resumed run may raise it to train on. <c>--data</c> is recorded by the file's name but
/// compared by the rows it holds (<see cref="RowsKey"/>), where recorded: a renamed or moved copy resumes.
/// </remarks>
internal static class RunNotes
{
    /// <summary>
    /// The note that is not an option: the rows the run reads, as <see cref="Rows{T}"/> gives them
    /// (absent from the files of builds before it, whose resume compares the rest only).
    /// </summary>
    public const string RowsKey = "rows";

    // The epochs of the run (the default resolved), which only the cosine schedule's resume compares.
    private const string EpochsKey = "--epochs";

    /// <summary>
    /// The rows a run reads, as read (before the split and any standardization, which the options recorded decide): their
    /// count and a SHA-256 of their features and targets. <see cref="CheckData"/> compares it, since a changed row need not
    /// change the columns, the classes or the standardization statistics (a label corrected, any value with
    /// <c>--no-standardize</c>). The values as parsed are the same on every machine, unlike sums of them.
    /// </summary>
    public static string Rows<T>(Dataset<T> all) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(all.Features));
        hash.AppendData(MemoryMarshal.AsBytes(all.Targets));
        return string.Create(CultureInfo.InvariantCulture, $"{all.Rows} rows, SHA-256 {Convert.ToHexStringLower(hash.GetHashAndReset())}");
    }

    /// <summary>The notes of a run on <paramref name="source"/> (the data's name) with target <paramref name="target"/>, on <paramref name="rows"/> (<see cref="Rows{T}"/>).</summary>
    public static Dictionary<string, string> Of(string source, string? target, TaskChoice task, DataSettings data, ModelSettings model,
        OptimizerSettings optimizer, LoopSettings loop, string rows) => new(StringComparer.Ordinal)
    {
        [RowsKey] = rows,
        ["--data"] = source,
        ["--label-column"] = target ?? "",
        ["--task"] = task.Name(),
        ["--test-fraction"] = Number(data.TestFraction),
        ["--no-standardize"] = Flag(!data.Standardize),
        ["--no-shuffle"] = Flag(!data.Shuffle),
        ["--layers"] = string.Join(",", model.Layers),
        ["--activation"] = model.Activation,
        ["--dropout"] = Number(model.Dropout),
        ["--batch-norm"] = Flag(model.BatchNorm),
        ["--layer-norm"] = Flag(model.LayerNorm),
        ["--residual"] = Flag(model.Residual),
        ["--optimizer"] = optimizer.Name,
        ["--lr"] = Number(optimizer.LearningRate),
        ["--momentum"] = Number(optimizer.Momentum),
        ["--nesterov"] = Flag(optimizer.Nesterov),
        ["--weight-decay"] = Number(optimizer.WeightDecay),
        ["--l1"] = Number(optimizer.L1),
        ["--l2"] = Number(optimizer.L2),
        ["--schedule"] = optimizer.Schedule.ToString(),
        ["--warmup"] = optimizer.Warmup.ToString(CultureInfo.InvariantCulture),
        ["--clip-norm"] = optimizer.ClipNorm is double clip ? Number(clip) : "none",
        ["--clip-value"] = optimizer.ClipValue is double clipValue ? Number(clipValue) : "none",
        [EpochsKey] = loop.Epochs.ToString(CultureInfo.InvariantCulture),
        ["--batch-size"] = loop.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["--drop-last"] = Flag(loop.DropLast),
        ["--seed"] = loop.Seed.ToString(CultureInfo.InvariantCulture),
        ["--double"] = Flag(loop.Double),
    };

    /// <summary>
    /// Throws a <see cref="UsageException"/> naming every option whose value differs between the run that saved
    /// <paramref name="checkpoint"/> (its <paramref name="saved"/> notes; none from a checkpoint another program wrote)
    /// and this one, on <paramref name="trainingRows"/> training rows (the <see cref="RowsKey"/> note aside: <see cref="CheckData"/>'s).
    /// </summary>
    /// <remarks>
    /// The batch sizes are compared as run, at most the training rows: this build records the batch clamped to them, but an
    /// older one recorded the <c>--batch-size</c> given, which its trainer ran as one batch of all the rows too. A recorded batch above this run's rows is read so; had that run had more rows, its data would differ
    /// (<see cref="CheckData"/>).
    /// </remarks>
    public static void CheckResume(string checkpoint, IReadOnlyDictionary<string, string>? saved, IReadOnlyDictionary<string, string> current,
        int trainingRows)
    {
        if (saved is null)
            return;
        // Files of builds before the note have none: their resume compares the rest only, as it did.
        if (current["--schedule"] == "cosine" && saved.GetValueOrDefault("--schedule") == "cosine"
            && saved.TryGetValue(EpochsKey, out string? epochs) && epochs != current[EpochsKey])
        {
            throw new UsageException($"--epochs {current[EpochsKey]}: {checkpoint} was saved by a run of {epochs} epochs, over which its cosine schedule "
                + $"anneals the learning rate; the resumed run keeps that schedule: give --epochs {epochs}.");
        }
        bool rowsRecorded = saved.ContainsKey(RowsKey);
        string[] differences = current
            .Where(option => option.Key is not (RowsKey or EpochsKey) && saved.TryGetValue(option.Key, out string? value)
                && Compared(option.Key, AsRun(option.Key, value, trainingRows), rowsRecorded) != Compared(option.Key, option.Value, rowsRecorded))
            .Select(option => $"{option.Key} {Show(saved[option.Key])} there, {Show(option.Value)} here")
            .ToArray();
        if (differences.Length > 0)
        {
            throw new UsageException(
                $"--resume: {checkpoint} was saved by a run with other options ({string.Join("; ", differences)}); resume with the original run's options (--epochs may change).");
        }
    }

    // What of a value a resume compares. --data names the file only: the rows it holds, when recorded, are compared by
    // CheckData, so a renamed or moved copy resumes; what is left is whether the run read a file or the embedded digits
    // (whose rows a file could hold). Files of builds before the rows note compare the name, their only trace of the data.
    // --label-column is a column's name, compared as the CSV matches names (an 'é' written decomposed is the composed one).
    private static string? Compared(string option, string? value, bool rowsRecorded) => option switch
    {
        "--data" when rowsRecorded && value != EmbeddedData.DigitsName => "a file",
        "--label-column" when value is not null => NormalForm.Of(value),
        _ => value,
    };

    // A recorded value as the run used it: a batch larger than the training rows is one batch of them all.
    private static string? AsRun(string option, string? value, int trainingRows) =>
        option == "--batch-size" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int batch) && batch > trainingRows
            ? trainingRows.ToString(CultureInfo.InvariantCulture)
            : value;

    /// <summary>
    /// Throws a <see cref="UsageException"/> when the checkpoint's run read other rows than this one: other columns,
    /// classes, standardization statistics or rows (<see cref="RowsKey"/>, when the checkpoint records it): the data file
    /// changed since, or options the checkpoint does not record. The statistics compare exactly across machines:
    /// <see cref="Standardizer.Fit{T}(Dataset{T})"/> gives the same bits on every instruction-set path.
    /// </summary>
    public static void CheckData(string checkpoint, ModelInfo saved, ModelInfo current)
    {
        string? difference =
            !Same(saved.FeatureNames, current.FeatureNames) || !Same([saved.TargetName], [current.TargetName]) ? "columns"
            : !Same(saved.ClassLabels, current.ClassLabels) ? "classes"
            : !Same(saved.Input, current.Input) || !Same(saved.Target, current.Target) ? "standardization statistics"
            : saved.Notes?.GetValueOrDefault(RowsKey) is string rows && rows != current.Notes?.GetValueOrDefault(RowsKey) ? "rows"
            : null;
        if (difference is not null)
        {
            throw new UsageException(
                $"--resume: {checkpoint} was trained on other rows than this run's (its {difference} differ): resume on the same data file with the original run's options.");
        }
    }

    // Names and labels as the CSV compares them, in Unicode normal form C: the same rows with an 'é' written decomposed
    // (as macOS may write it) are the same data.
    private static bool Same(IReadOnlyList<string?>? a, IReadOnlyList<string?>? b) =>
        a is null ? b is null : b is not null && a.Select(Key).SequenceEqual(b.Select(Key), StringComparer.Ordinal);

    private static string? Key(string? text) => text is null ? null : NormalForm.Of(text);

    private static bool Same(Standardizer? a, Standardizer? b) =>
        a is null ? b is null : b is not null && a.Means.SequenceEqual(b.Means) && a.Scales.SequenceEqual(b.Scales);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Flag(bool on) => on ? "on" : "off";

    private static string Show(string value) => value.Length == 0 ? "\"\"" : value;
}
