using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FastNN.Cli.Training;
using FastNN.Training;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary><c>fastnn eval</c>: a saved model on a labelled CSV file: accuracy and a confusion matrix, or RMSE and R² in the target's units.</summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var model = ModelFileOptions.Model();
        var data = ModelFileOptions.Data(
            "The labelled CSV file to evaluate on. Its columns are matched to the model's feature and target names, in any order; other columns (an id) are ignored, and a missing one is an error that names it. A model file without feature names takes every column but the label, by position.");
        var labelColumn = new Option<string?>("--label-column")
        {
            Description = "The target column: a header name or a 0-based index. Default: the column named as when the model was trained.",
            HelpName = "NAME|INDEX",
        };
        var delimiter = ModelFileOptions.Delimiter();
        var precision = ModelFileOptions.Double();
        var command = new Command("eval", "Evaluate a saved model on a labelled CSV file: accuracy and a confusion matrix, or RMSE and R².")
        {
            model, data, labelColumn, delimiter, precision,
        };
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            string modelPath = parse.GetValue(model)!, dataPath = parse.GetValue(data)!;
            string? label = parse.GetValue(labelColumn);
            char? split = parse.GetValue(delimiter)?[0];
            return parse.GetValue(precision)
                ? Run(console, ModelFileData<double>.Read(modelPath, dataPath, label, split, withTarget: true))
                : Run(console, ModelFileData<float>.Read(modelPath, dataPath, label, split, withTarget: true));
        }));
        return command;
    }

    private static int Run<T>(CliConsole console, ModelFileData<T> file) where T : unmanaged, IFloatingPointIeee754<T>
    {
        console.Line($"model: {Counted.Of(file.Saved.Model.InputSize, "input")}, {Counted.Of(file.Saved.Model.OutputSize, "output")}, task {file.Task.Name()}; data: {file.Source}, {Counted.Of(file.Data.Rows, "row")}");
        if (file.Task == TaskChoice.Regress)
        {
            double[] predictions = file.TargetUnits(file.Outputs());
            double[] targets = file.Data.Targets.ToArray().Select(double.CreateChecked).ToArray();
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"R² {Fixed.Of(Metrics.RSquared<double>(predictions, targets), 4)}, RMSE {Metrics.RootMeanSquaredError<double>(predictions, targets):G5} ({Counted.Of(file.Data.Rows, "row")})"));
            return ExitCode.Success;
        }

        int classes = file.Task == TaskChoice.Binary ? 2 : file.Saved.Model.OutputSize;
        int[] predicted = file.Classified().Classes;
        var confusion = new int[classes, classes];
        int right = 0;
        for (int r = 0; r < predicted.Length; r++)
        {
            int actual = int.CreateTruncating(file.Data.Targets[r]);
            confusion[actual, predicted[r]]++;
            right += actual == predicted[r] ? 1 : 0;
        }

        var table = new Table().AddColumn(new TableColumn("actual \\ predicted"));
        for (int c = 0; c < classes; c++)
            table.AddColumn(new TableColumn(Markup.Escape(file.Label(c))).RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int a = 0; a < classes; a++)
        {
            int total = Enumerable.Range(0, classes).Sum(p => confusion[a, p]);
            var cells = new List<string> { Markup.Escape(file.Label(a)) };
            cells.AddRange(Enumerable.Range(0, classes).Select(p => confusion[a, p].ToString(CultureInfo.InvariantCulture)));
            cells.Add(total == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * confusion[a, a] / total:F1}%"));
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        console.Line(string.Create(CultureInfo.InvariantCulture, $"accuracy {100.0 * right / predicted.Length:F2}% ({right} of {Counted.Of(predicted.Length, "row")})"));
        return ExitCode.Success;
    }
}
