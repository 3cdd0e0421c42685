using System.Globalization;
using System.Numerics;
using FastNN.Data;

namespace FastNN.Cli.Training;

/// <summary>Reads the rows the command works on: a CSV file or the embedded digits.</summary>
internal static class DataLoader
{
    /// <summary>
    /// Reads <see cref="DataSettings.Path"/> (or the embedded digits) with the target read as the task needs: class
    /// labels for classify and binary, numbers for regress, inferred when no task is given. <paramref name="floatOnly"/>
    /// names a command that runs in float alone (no --double), as a value beyond float's range is refused.
    /// </summary>
    public static (Dataset<T> Data, string Source) Read<T>(DataSettings settings, string? floatOnly = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = new CsvOptions
        {
            Delimiter = settings.Delimiter,
            LabelColumn = settings.LabelColumn,
            Target = settings.Task switch
            {
                null => CsvTarget.Auto,
                TaskChoice.Regress => CsvTarget.Numeric,
                _ => CsvTarget.ClassLabels,
            },
        };
        (Dataset<T> data, string source) = Read<T>(settings.Path, options, floatOnly);
        // Read by position, a file without its header row gives its first row as the column names, and trains on the
        // others: refused as eval and predict, which look its columns up by name, call such a header; so is a target
        // named as one of its own classes (iris.data's 'setosa') after features named by numbers, unless --label-column
        // names the target by that name: a real header can name its target so ("1,2,3,yes" over yes and no).
        static bool Number(string name) => double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        bool numberTarget = Number(data.TargetName);
        bool classTarget = data.ClassLabels?.Contains(data.TargetName, StringComparer.Ordinal) == true && settings.LabelColumn != data.TargetName;
        if (data.FeatureNames.All(Number) && (numberTarget || classTarget))
        {
            throw new UsageException($"{source}: the column names its header row gives are numbers {(numberTarget ? "only" : "and one of the target's classes")} "
                + $"({Describe([.. data.FeatureNames, data.TargetName])}): the header row of column names is missing; add a first line that names the columns"
                + (numberTarget ? "." : $", or, if that line is the header, name its target: --label-column {data.TargetName}."));
        }
        return (data, source);
    }

    /// <summary>
    /// Reads <paramref name="path"/> (null: the embedded digits) with <paramref name="options"/>. A value beyond float's
    /// range is refused naming --double, which reads it, or saying that <paramref name="floatOnly"/>, the command, runs in
    /// float alone: the reader's own "read the file as double" names no option.
    /// </summary>
    public static (Dataset<T> Data, string Source) Read<T>(string? path, CsvOptions options, string? floatOnly = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            if (path is null)
            {
                using Stream digits = EmbeddedData.OpenDigits();
                return (Csv.Read<T>(digits, EmbeddedData.DigitsName, options), EmbeddedData.DigitsName);
            }
            using FileStream stream = File.OpenRead(InputFile.Existing(path, "--data"));
            string name = Name(path);
            try
            {
                return (Csv.Read<T>(stream, name, options), name);
            }
            catch (CsvFormatException) when (stream.CanSeek && FileHead.IsSafetensors(stream))
            {
                throw new UsageException($"--data: {name} is a safetensors model file, not CSV rows: --data takes a CSV file; a model file goes to --model (eval, predict), or to --init-weights or --resume (train).");
            }
        }
        catch (CsvFormatException e) when (e.NeedsDouble)
        {
            throw e.WithRemedy(floatOnly is null ? "give --double to read the file as double." : $"{floatOnly} runs in float alone.");
        }
    }

    // A file is named by its name, as Csv.Read names it; a device, a pipe (a shell's <(…) is /dev/fd/63) or a process's
    // own stream (/dev/stdin) by the path given, of which the name alone ("null", "63") tells nothing.
    private static string Name(string path) =>
        OperatingSystem.IsLinux() && (LinuxFileType.IsSpecial(path, followLinks: true) || LinuxFileType.IsDescriptorLink(Path.GetFullPath(path)))
            ? path
            : Path.GetFileName(path);

    /// <summary>The task: the one asked for, or binary / classify when the target was read as two / more classes, else regress.</summary>
    public static TaskChoice Task<T>(Dataset<T> data, TaskChoice? asked) where T : unmanaged, IFloatingPointIeee754<T>
    {
        IReadOnlyList<string>? labels = data.ClassLabels;
        TaskChoice task = asked ?? (labels is null ? TaskChoice.Regress : labels.Count == 2 ? TaskChoice.Binary : TaskChoice.Classify);
        if (task == TaskChoice.Binary && labels!.Count != 2)
            throw new UsageException($"--task binary needs two classes; column '{data.TargetName}' has {labels.Count} ({Describe(labels)}).");
        return task;
    }

    /// <summary>A short list of labels for messages.</summary>
    public static string Describe(IReadOnlyList<string> labels) =>
        labels.Count <= 10 ? string.Join(", ", labels) : $"{string.Join(", ", labels.Take(10))}, …";
}
