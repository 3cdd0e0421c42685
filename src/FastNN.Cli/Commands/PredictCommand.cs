using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using FastNN.Cli.Training;

namespace FastNN.Cli.Commands;

/// <summary>
/// <c>fastnn predict</c>: a saved model's predictions for the rows of a CSV file, as CSV: the predicted label and each
/// class's probability, or the predicted value in the target's units.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = ModelFileOptions.Model();
        var data = ModelFileOptions.Data(
            "The CSV file of rows to predict. Its columns are matched to the model's feature names, in any order; other columns (an id, a label) are ignored, and a missing one is an error that names it. A model file without feature names takes every column, by position.");
        var output = new Option<string?>("--output")
        {
            Description = "Where to write the predictions CSV. Default: standard output. Standard output carries the CSV alone: the line naming the file written goes to standard error, so /dev/stdout is a clean CSV too.",
            HelpName = "FILE.csv",
        };
        var delimiter = ModelFileOptions.Delimiter();
        var precision = ModelFileOptions.Double();
        var command = new Command("predict",
            "Predict the rows of a CSV file with a saved model: a CSV of the predicted label and each class's probability (or the predicted value).")
        {
            model, data, output, delimiter, precision,
        };
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            string modelPath = parse.GetValue(model)!, dataPath = parse.GetValue(data)!;
            string? path = parse.GetValue(output);
            // Standard output and error are written through the streams the process was given, which it may not be able
            // to open again itself (a file its parent opened, as 'runuser -u other -- fastnn ... > out.csv' does).
            TextWriter? stream = path is null || OutputFile.IsStandardOutput(path) ? console.Out
                : OutputFile.IsStandardError(path) ? console.Error
                : null;
            if (path is not null)
            {
                if (stream is null)
                    OutputFile.Check(path, "--output");
                OutputFile.CheckDistinct([("--output", path)], [("--model", modelPath), ("--data", dataPath)]);
            }
            char? split = parse.GetValue(delimiter)?[0];
            string csv = parse.GetValue(precision)
                ? Write(ModelFileData<double>.Read(modelPath, dataPath, null, split, withTarget: false))
                : Write(ModelFileData<float>.Read(modelPath, dataPath, null, split, withTarget: false));
            if (stream is not null)
                stream.Write(csv);
            else
                OutputFile.Write(path!, "--output", () => File.WriteAllText(path!, csv));
            // On stderr: the path may be standard output itself, whose CSV a status line would corrupt; and none when
            // the CSV is on stderr, which it would corrupt there.
            if (path is not null && stream != console.Error)
                console.Tell($"predictions: {Path.GetFullPath(path)}");
            return ExitCode.Success;
        }));
        return command;
    }

    // One row per input row: "prediction" (the label, or the value in the target's units), then p(label) per class.
    private static string Write<T>(ModelFileData<T> file) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var csv = new StringBuilder();
        if (file.Task == TaskChoice.Regress)
        {
            csv.Append(Field(file.Saved.Info.TargetName ?? "prediction")).Append('\n');
            foreach (double value in file.TargetUnits(file.Outputs()))
                csv.Append(Number<T>(value)).Append('\n');
            return csv.ToString();
        }

        int classes = file.Task == TaskChoice.Binary ? 2 : file.Saved.Model.OutputSize;
        (T[] probabilities, int[] predicted) = file.Classified();
        csv.Append("prediction");
        for (int c = 0; c < classes; c++)
            csv.Append(',').Append(Field($"p({file.Label(c)})"));
        csv.Append('\n');
        for (int r = 0; r < predicted.Length; r++)
        {
            csv.Append(Field(file.Label(predicted[r])));
            for (int c = 0; c < classes; c++)
                csv.Append(',').Append(probabilities[r * classes + c].ToString("R", CultureInfo.InvariantCulture));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    // A value worked out in double, printed at the model's precision: the shortest text that reads back as the same T
    // (a float model's value as 3.2223874E-06, not the double 3.2223873775855197E-06 its float widens to). A finite value
    // past T's range (a float model's, un-standardized past 3.4E+38) is printed as the double eval scores, not as the
    // infinity T rounds it to, which no CSV reader of fastnn takes back.
    private static string Number<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateTruncating(value) is var rounded && (T.IsFinite(rounded) || !double.IsFinite(value))
            ? rounded.ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    // RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
    private static string Field(string text) =>
        text.IndexOfAny([',', ';', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";
}
