// PredictCsv: loads a FastNN model file and predicts the CSV rows it reads from standard input.
//
//   dotnet run --project samples/PredictCsv -- MODEL.safetensors < rows.csv
//
// The rows are read as `fastnn predict` reads them, by the library's CSV reader (FastNN.Data.Csv): a header row, then
// one row per line; fields separated by commas or semicolons (detected from the header), quoted or not; the model's
// feature columns found by name where the file records the names (in any order, other columns such as an id or the
// target ignored), otherwise every column, by position; values in the units of the training data (the predictor
// applies the file's input standardization). A cell that is not a finite number, a missing column, or a value so far
// outside the training data that its standardization leaves float is one line on standard error (exit code 1), before
// any prediction is written. Output, as CSV with a header (a label holding a comma quoted): for a classifier the
// predicted label and each class's probability; for a regression the value in the target's own units. With --time, the
// median latency of one batch-1 call on the first row is written to standard error as well.
using System.Diagnostics;
using System.Globalization;
using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;

const string Usage = "usage: PredictCsv MODEL.safetensors [--time] < rows.csv";
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(Usage);
    return 0;
}
if (args.Length is < 1 or > 2 || args[0].Length == 0 || (args.Length == 2 && args[1] != "--time"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

Predictor<float> predictor;
try
{
    predictor = Predictor<float>.Load(args[0]);
}
catch (Exception e) when (e is ModelFileException or IOException or UnauthorizedAccessException) // a folder, or a file we may not read
{
    // The runtime says "Access to the path ... is denied." of a folder, which sends one looking at its permissions.
    Console.Error.WriteLine(Directory.Exists(args[0]) ? $"{args[0]}: a folder, not a model file." : e.Message);
    return 1;
}

Dataset<float> rows;
try
{
    rows = Csv.Read<float>(Console.OpenStandardInput(), "stdin", new CsvOptions { FeatureColumns = predictor.Info.FeatureNames, Target = CsvTarget.None });
}
catch (CsvFormatException e) // names the line and column: "stdin, line 3, column 2: 'NA' in column 'sex' is not a number."
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
if (rows.FeatureCount != predictor.InputSize)
{
    Console.Error.WriteLine($"stdin: {rows.FeatureCount} columns, but the model takes {predictor.InputSize} features (its file records no names, so every column is one)");
    return 1;
}

bool classifier = predictor.ClassLabels.Count > 0;
int width = classifier ? predictor.ClassLabels.Count : predictor.OutputSize;
var outputs = new float[rows.Rows * width];
var classes = new int[rows.Rows];
try
{
    if (classifier)
        predictor.Classify(rows.Features, outputs, classes, rows.Rows);
    else
        predictor.PredictValues(rows.Features, outputs, rows.Rows);
}
catch (ArgumentException e) // a finite value the file's standardization takes past float: the message names the row and feature
{
    Console.Error.WriteLine($"stdin: {e.Message}");
    return 1;
}
if (args.Length == 2)
    TimeOneRow(predictor, rows.Row(0), classifier);

var output = Console.Out;
output.WriteLine(classifier
    ? "prediction," + string.Join(',', predictor.ClassLabels.Select(label => Field($"p({label})")))
    : predictor.Info.TargetName is { } target ? Field(target)
    : string.Join(',', Enumerable.Range(0, width).Select(i => $"output{i}")));
for (int row = 0; row < rows.Rows; row++)
{
    string values = string.Join(',', new ArraySegment<float>(outputs, row * width, width).Select(Number));
    output.WriteLine(classifier ? Field(predictor.ClassLabels[classes[row]]) + "," + values : values);
}
return 0;

// A label or name as a CSV field: quoted when it holds a comma, a quote or a line break ("a, b", "" for a quote), as a
// CSV class column may have named it, so that every output line keeps its fields.
static string Field(string text) => text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";

static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

// Median time of one batch-1 call, over 21 rounds of about 20 ms, to standard error.
static void TimeOneRow(Predictor<float> predictor, ReadOnlySpan<float> row, bool classifier)
{
    float[] features = row.ToArray(), outputs = new float[classifier ? predictor.ClassLabels.Count : predictor.OutputSize];
    Action call = classifier ? () => predictor.Classify(features, outputs) : () => predictor.PredictValues(features, outputs, 1);
    var clock = Stopwatch.StartNew();
    int calls = 0;
    while (clock.ElapsedMilliseconds < 200)
    {
        call();
        calls++;
    }
    int perRound = Math.Max(1, calls / 10);
    var rounds = new double[21];
    for (int r = 0; r < rounds.Length; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < perRound; i++)
            call();
        rounds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perRound;
    }
    Array.Sort(rounds);
    Console.Error.WriteLine($"batch 1: {rounds[rounds.Length / 2]:F2} µs per call (median of {rounds.Length} rounds of {perRound} calls; " +
        $"instruction-set path {FastNN.Intrinsics.Isa.Path})");
}
