// PredictCsv: loads a FastNN model file and predicts the CSV rows it reads from standard input.
//
//   dotnet run --project samples/PredictCsv -- MODEL.safetensors < rows.csv
//
// Each input line holds one row's features, comma-separated, in the model's column order and in the units of the
// training data (the file's input standardization is applied by the predictor). A first line naming the columns (no
// field a number) is skipped, once it names the model's columns in that order where the file records them; blank lines
// are ignored, and so is a UTF-8 byte-order mark; any other line must hold finite numbers only, none so far outside the
// training data that its standardization leaves float (else one line on standard error, exit code 1). Output, as CSV
// with a header (a label holding a comma quoted): for a classifier the predicted label and each class's probability;
// for a regression the value in the target's own units. With --time, the median latency of one batch-1 call on the
// first row is written to standard error as well.
using System.Diagnostics;
using System.Globalization;
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

bool classifier = predictor.ClassLabels.Count > 0;
var features = new float[predictor.InputSize];
var outputs = new float[classifier ? predictor.ClassLabels.Count : predictor.OutputSize];
var output = Console.Out;
output.WriteLine(classifier
    ? "prediction," + string.Join(',', predictor.ClassLabels.Select(label => Field($"p({label})")))
    : predictor.Info.TargetName is { } target ? Field(target)
    : string.Join(',', Enumerable.Range(0, predictor.OutputSize).Select(i => $"output{i}")));

bool first = true;
int lineNumber = 0;
for (string? line; (line = Console.In.ReadLine()) is not null;)
{
    lineNumber++;
    if (lineNumber == 1)
        line = line.TrimStart('\uFEFF'); // a UTF-8 byte-order mark, as spreadsheets write one: no part of the first field
    if (string.IsNullOrWhiteSpace(line))
        continue;
    if (lineNumber == 1 && IsHeader(line))
    {
        if (HeaderProblem(line, predictor.Info.FeatureNames) is { } wrong)
        {
            Console.Error.WriteLine($"stdin line 1: {wrong}");
            return 1;
        }
        continue;
    }
    if (!TryParse(line, features, out string? problem))
    {
        Console.Error.WriteLine($"stdin line {lineNumber}: {problem}");
        return 1;
    }
    if (first && args.Length == 2)
        TimeOneRow(predictor, features, outputs, classifier);
    first = false;
    try
    {
        if (classifier)
        {
            int label = predictor.Classify(features, outputs);
            output.WriteLine(Field(predictor.ClassLabels[label]) + "," + string.Join(',', outputs.Select(Number)));
        }
        else
        {
            predictor.PredictValues(features, outputs, 1);
            output.WriteLine(string.Join(',', outputs.Select(Number)));
        }
    }
    catch (ArgumentException e) // a finite value the file's standardization takes past float: the message names the feature
    {
        Console.Error.WriteLine($"stdin line {lineNumber}: {e.Message}");
        return 1;
    }
}
return 0;

// A header names columns: no field is a number. A first row with one missing value ("NA") is a bad row, not a header:
// skipping it would shift every later prediction by one line.
static bool IsHeader(string line) =>
    line.Split(',').All(field => !float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

// Where the file records the model's column names, a header must name them in order: rows in another order, or with
// the target column kept, would be predicted from the wrong features. A name may be quoted ("age"), as R writes it.
// The first column that differs is named, since a header of 30 names differs from the model's in one place, say.
static string? HeaderProblem(string line, IReadOnlyList<string>? names)
{
    string[] fields = [.. line.Split(',').Select(field => field.Trim()).Select(field =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Replace("\"\"", "\"") : field)];
    if (names is null || fields.SequenceEqual(names))
        return null;
    int k = 0;
    while (k < fields.Length && k < names.Count && fields[k] == names[k])
        k++;
    string where = k == names.Count ? $"column {k + 1} of the header, '{fields[k]}', is one more than the model takes (the target column?)"
        : k == fields.Length ? $"the header ends after {k} columns, where the model takes '{names[k]}' next"
        : $"column {k + 1} of the header is '{fields[k]}', where the model takes '{names[k]}'";
    return $"{where}; the model takes the {names.Count} columns '{string.Join(',', names)}', in that order";
}

// The row's fields as floats; false with the reason when there are not InputSize finite numbers (the predictor refuses
// NaN, or a value beyond float's range, with an exception; this names the line and field instead). A finite value that
// the standardization takes past float is the predictor's to find, and the loop names the line of its exception.
static bool TryParse(string line, float[] features, out string? problem)
{
    string[] fields = line.Split(',');
    if (fields.Length != features.Length)
    {
        problem = $"{fields.Length} fields, but the model takes {features.Length} features";
        return false;
    }
    for (int i = 0; i < fields.Length; i++)
    {
        if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out features[i]))
        {
            problem = $"field {i + 1}, '{fields[i].Trim()}', is not a number";
            return false;
        }
        if (!float.IsFinite(features[i]))
        {
            problem = $"field {i + 1}, '{fields[i].Trim()}', is not a finite number (as float)";
            return false;
        }
    }
    problem = null;
    return true;
}

// A label or name as a CSV field: quoted when it holds a comma, a quote or a line break ("a, b", "" for a quote), as a
// CSV class column may have named it, so that every output line keeps its fields.
static string Field(string text) => text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";

static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

// Median time of one batch-1 call, over 21 rounds of about 20 ms, to standard error.
static void TimeOneRow(Predictor<float> predictor, float[] features, float[] outputs, bool classifier)
{
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
