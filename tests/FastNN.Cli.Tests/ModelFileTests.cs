using System.Globalization;
using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Tests;

/// <summary>The model files: train saves, eval and predict read them as the library does, checkpoints resume exactly, weights load strictly.</summary>
public class ModelFileTests
{
    private static CliRun Train(Cli cli, params string[] args) => cli.Run(["train", "--plot", cli.PathOf("plot.png"), .. args]);

    // What the library itself computes for a saved model on a CSV file: its outputs on the standardized feature columns.
    private static (SavedModel<T> Saved, Dataset<T> Data, T[] Outputs) Library<T>(string model, string data) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        SavedModel<T> saved = ModelFile.Load<T>(model);
        ModelInfo info = saved.Info;
        Dataset<T> rows = Csv.Read<T>(data, new CsvOptions
        {
            FeatureColumns = info.FeatureNames,
            LabelColumn = info.TargetName,
            Target = info.Task == TaskKind.Regression ? CsvTarget.Numeric : CsvTarget.ClassLabels,
            ClassLabels = info.Task == TaskKind.Regression ? null : info.ClassLabels,
        });
        Dataset<T> standardized = info.Input!.Transform(rows);
        // The library's serving path, whose result for a row does not depend on the batch (Sequential.Forward's last
        // bits do, and the text compared below is exact).
        var outputs = new T[rows.Rows * saved.Model.OutputSize];
        new Predictor<T>(saved.Model).Predict(standardized.Features, outputs, rows.Rows);
        return (saved, rows, outputs);
    }

    [Fact]
    public void EvalAndPredictAgreeWithTheLibraryOnABinaryModel()
    {
        using var cli = new Cli();
        string model = cli.PathOf("cancer.safetensors"), data = Cli.Data("breast_cancer.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "16", "--epochs", "5", "--save", model).ExitCode);
        var (saved, rows, logits) = Library<float>(model, data);
        Assert.Equal(["0", "1"], saved.Info.ClassLabels!);

        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        int right = Enumerable.Range(0, rows.Rows).Count(r => (logits[r] > 0 ? 1 : 0) == rows.Targets[r]);
        Assert.Contains($"accuracy {100.0 * right / rows.Rows:F2}% ({right} of {rows.Rows} rows)".Replace(',', '.'), eval.Out);

        CliRun predict = cli.Run("predict", "--model", model, "--data", data, "--output", cli.PathOf("p.csv"));
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = File.ReadAllLines(cli.PathOf("p.csv"));
        Assert.Equal("prediction,p(0),p(1)", lines[0]);
        Assert.Equal(rows.Rows + 1, lines.Length);
        // Each probability in a float model's own precision: the shortest text that reads back as the same float.
        for (int r = 0; r < rows.Rows; r++)
        {
            string[] cells = lines[r + 1].Split(',');
            double p1 = 1 / (1 + Math.Exp(-(double)logits[r]));
            Assert.Equal(logits[r] > 0 ? "1" : "0", cells[0]);
            Assert.Equal(((float)p1).ToString("R", CultureInfo.InvariantCulture), cells[2]);
            double p0 = 1 / (1 + Math.Exp((double)logits[r]));
            Assert.Equal(((float)p0).ToString("R", CultureInfo.InvariantCulture), cells[1]);
        }
        Assert.All(lines.Skip(1).SelectMany(l => l.Split(',').Skip(1)), cell => Assert.True(SignificantDigits(cell) <= 9, cell));
    }

    [Fact]
    public void ADoubleBinaryModelsClassZeroProbabilityKeepsItsDigits()
    {
        // 1 − σ(z) keeps only the digits σ(z) leaves below 1: wrong in the last places from z ≈ 1, and 0 from z ≈ 37.
        using var cli = new Cli();
        string model = cli.PathOf("cancer64.safetensors"), data = Cli.Data("breast_cancer.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "16", "--epochs", "20", "--double", "--save", model).ExitCode);
        var (_, rows, logits) = Library<double>(model, data);
        CliRun predict = cli.Run("predict", "--model", model, "--data", data, "--double", "--output", cli.PathOf("p.csv"));
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = File.ReadAllLines(cli.PathOf("p.csv"));
        Assert.Contains(logits, z => z > 5);
        for (int r = 0; r < rows.Rows; r++)
        {
            string[] cells = lines[r + 1].Split(',');
            Assert.Equal(1 / (1 + Math.Exp(logits[r])), double.Parse(cells[1], CultureInfo.InvariantCulture), 15);
            Assert.Equal(1 / (1 + Math.Exp(-logits[r])), double.Parse(cells[2], CultureInfo.InvariantCulture), 15);
        }
    }

    [Theory]
    [InlineData("float")]
    [InlineData("double")]
    public void APredictedRowDoesNotDependOnTheOtherRowsOfTheFile(string precision)
    {
        // The same row predicted alone, among 8 rows and among all 569 gets the same text: the model ran on batches of
        // up to its MaxBatch rows, and a few rows take another product path than many (0.87812066 alone, 0.8781208 in
        // the whole file).
        using var cli = new Cli();
        string model = cli.PathOf("cancer.safetensors"), data = Cli.Data("breast_cancer.csv");
        string[] type = precision == "double" ? ["--double"] : [];
        Assert.Equal(0, Train(cli, ["--data", data, "--layers", "16", "--epochs", "2", "--save", model, .. type]).ExitCode);
        string[] all = File.ReadAllLines(data);
        string[] Predict(int rows)
        {
            string file = cli.Write($"first{rows}.csv", string.Join('\n', all.Take(rows + 1)) + "\n");
            CliRun run = cli.Run(["predict", "--model", model, "--data", file, .. type]);
            Assert.True(run.ExitCode == 0, run.ToString());
            return run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        string[] whole = Predict(all.Length - 1), eight = Predict(8);
        Assert.Equal(all.Length, whole.Length);
        Assert.Equal(whole[..9], eight);
        for (int r = 1; r <= 8; r++)
            Assert.Equal(whole[r], Predict(r)[r]);
    }

    // The digits of a number's mantissa, leading zeros aside: at most 9 are needed to read back any float.
    private static int SignificantDigits(string number) =>
        number.Split('E')[0].Replace("-", "").Replace(".", "").TrimStart('0').Length;

    [Fact]
    public void PredictWritesTheMostProbableLabelOfAMultiClassModelToStandardOutput()
    {
        using var cli = new Cli();
        string model = cli.PathOf("pets.safetensors");
        var text = new System.Text.StringBuilder("size,weight,kind\n");
        for (int i = 0; i < 90; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 3 + 0.01 * i},{(i * 7) % 5},{(i % 3) switch { 0 => "dog", 1 => "cat", _ => "eel" }}\n");
        string data = cli.Write("pets.csv", text.ToString());
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "8", "--epochs", "20", "--save", model).ExitCode);
        var (saved, rows, scores) = Library<float>(model, data);

        // Prediction needs no label column, and takes the feature columns by name in any order.
        string unlabelled = cli.Write("new.csv", "weight,size\n" + string.Concat(Enumerable.Range(0, rows.Rows).Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{rows.Row(r)[1]},{rows.Row(r)[0]}\n"))));
        CliRun predict = cli.Run("predict", "--model", model, "--data", unlabelled);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("prediction,p(cat),p(dog),p(eel)", lines[0]);
        for (int r = 0; r < rows.Rows; r++)
        {
            ReadOnlySpan<float> s = scores.AsSpan(r * 3, 3);
            int best = s[1] > s[0] ? (s[2] > s[1] ? 2 : 1) : (s[2] > s[0] ? 2 : 0);
            Assert.StartsWith(saved.Info.ClassLabels![best] + ",", lines[r + 1]);
        }
    }

    private static string LastLine(CliRun run) => run.Out.TrimEnd().Split('\n')[^1];

    // The rows of a CSV file with its columns taken in another order (by index) and, when given, an id column first.
    private static string Rearranged(string path, int[] columns, bool id)
    {
        string[] lines = File.ReadAllLines(path);
        return string.Concat(lines.Select((line, r) =>
        {
            string[] cells = line.Split(',');
            return (id ? (r == 0 ? "id," : $"row{r},") : "") + string.Join(',', columns.Select(c => cells[c])) + "\n";
        }));
    }

    [Fact]
    public void EvalAndPredictMatchTheModelsColumnsByNameInAnyOrderIgnoringOthers()
    {
        using var cli = new Cli();
        string model = cli.PathOf("ridge.safetensors"), data = Cli.Data("diabetes.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "", "--epochs", "2", "--save", model).ExitCode);
        string[] header = File.ReadLines(data).First().Split(',');
        Assert.Equal("target", header[^1]);

        // The columns reversed (the target first) behind an id column of words: the same rows to the model.
        string reversed = cli.Write("reversed.csv", Rearranged(data, Enumerable.Range(0, header.Length).Reverse().ToArray(), id: true));
        CliRun evalAsTrained = cli.Run("eval", "--model", model, "--data", data), evalReversed = cli.Run("eval", "--model", model, "--data", reversed);
        Assert.True(evalReversed.ExitCode == 0, evalReversed.ToString());
        Assert.Equal(LastLine(evalAsTrained), LastLine(evalReversed));
        CliRun predictAsTrained = cli.Run("predict", "--model", model, "--data", data), predictReversed = cli.Run("predict", "--model", model, "--data", reversed);
        Assert.True(predictReversed.ExitCode == 0, predictReversed.ToString());
        Assert.Equal(predictAsTrained.Out, predictReversed.Out);

        // A missing feature column is named; so is a missing header row.
        int bmi = Array.IndexOf(header, "bmi");
        string missing = cli.Write("missing.csv", Rearranged(data, Enumerable.Range(0, header.Length).Where(c => c != bmi).ToArray(), id: true));
        CliRun noBmi = cli.Run("predict", "--model", model, "--data", missing);
        Assert.True(noBmi.ExitCode == 2, noBmi.ToString());
        Assert.Single(noBmi.ErrorLines);
        Assert.Contains("missing.csv, line 1: there is no column 'bmi'", noBmi.Error);
        string headless = cli.Write("headless.csv", string.Concat(File.ReadLines(data).Skip(1).Select(l => l + "\n")));
        CliRun noHeader = cli.Run("predict", "--model", model, "--data", headless);
        Assert.True(noHeader.ExitCode == 2, noHeader.ToString());
        Assert.Contains("the header row of column names is missing", noHeader.Error);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void PredictReadsAFileAsPandasOrExcelForMacWritesIt(string lineEnd)
    {
        // pandas' to_csv puts its index first, in a column with no name; Excel for Mac's "CSV (Macintosh)" ends lines
        // with a lone CR; Excel's "CSV UTF-8" starts with a byte-order mark. Predict said "line 1, column 1: the header
        // has an empty column name" of the index, and read a CR-ended file as one line.
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        string[] lines = [.. File.ReadLines(data)];
        string written = cli.Write("written.csv", "\uFEFF," + lines[0] + lineEnd + string.Concat(lines.Skip(1).Select((l, i) => $"{i},{l}{lineEnd}")));
        CliRun plain = cli.Run("predict", "--model", model, "--data", data), fromPandas = cli.Run("predict", "--model", model, "--data", written);
        Assert.True(fromPandas.ExitCode == 0, fromPandas.ToString());
        Assert.Equal(plain.Out, fromPandas.Out);
    }

    [Fact]
    public void PredictFindsAColumnNameThatMacOsWroteDecomposed()
    {
        // The model records 'âge' composed (U+00E2); a file saved on macOS may write it decomposed (a, U+0302): predict
        // said "there is no column 'âge'" of a header that prints the same.
        using var cli = new Cli();
        string[] lines = File.ReadAllLines(Cli.Data("diabetes.csv"));
        string Renamed(string age) => string.Concat(lines.Skip(1).Prepend(lines[0].Replace("age", age)).Select(l => l + "\n"));
        string composed = cli.Write("composed.csv", Renamed("\u00e2ge")), decomposed = cli.Write("decomposed.csv", Renamed("a\u0302ge"));
        string model = cli.PathOf("m.safetensors");
        Assert.Equal(0, Train(cli, "--data", composed, "--layers", "", "--epochs", "2", "--save", model).ExitCode);
        CliRun asTrained = cli.Run("predict", "--model", model, "--data", composed), fromMac = cli.Run("predict", "--model", model, "--data", decomposed);
        Assert.True(fromMac.ExitCode == 0, fromMac.ToString());
        Assert.Equal(asTrained.Out, fromMac.Out);
    }

    [Fact]
    public void AModelFileWithoutColumnNamesTakesTheColumnsByPosition()
    {
        using var cli = new Cli();
        string named = cli.PathOf("named.safetensors"), anonymous = cli.PathOf("anonymous.safetensors"), data = Cli.Data("diabetes.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "", "--epochs", "2", "--save", named).ExitCode);
        SavedModel<float> saved = ModelFile.Load<float>(named);
        ModelFile.Save(anonymous, saved.Model, saved.Info with { FeatureNames = null, TargetName = null });

        // Other names in the model's order: by position, the same figures as the named model on its own columns.
        int columns = File.ReadLines(data).First().Split(',').Length;
        string[] lines = File.ReadAllLines(data);
        string renamed = cli.Write("renamed.csv", string.Join(',', Enumerable.Range(0, columns).Select(c => $"x{c}")) + "\n"
            + string.Concat(lines.Skip(1).Select(l => l + "\n")));
        CliRun evalNamed = cli.Run("eval", "--model", named, "--data", data), evalByPosition = cli.Run("eval", "--model", anonymous, "--data", renamed);
        Assert.True(evalByPosition.ExitCode == 0, evalByPosition.ToString());
        Assert.Equal(LastLine(evalNamed), LastLine(evalByPosition));

        string features = cli.Write("features.csv", Rearranged(renamed, Enumerable.Range(0, columns - 1).ToArray(), id: false));
        CliRun predictNamed = cli.Run("predict", "--model", named, "--data", data), predictByPosition = cli.Run("predict", "--model", anonymous, "--data", features);
        Assert.True(predictByPosition.ExitCode == 0, predictByPosition.ToString());
        Assert.Equal(predictNamed.Out.Split('\n').Skip(1), predictByPosition.Out.Split('\n').Skip(1)); // the header names no target

        // By position every column counts: a label column too many is an error that says why.
        CliRun extra = cli.Run("predict", "--model", anonymous, "--data", renamed);
        Assert.True(extra.ExitCode == 2, extra.ToString());
        Assert.Single(extra.ErrorLines);
        Assert.Contains("renamed.csv has 11 feature columns; the model takes 10 and its file records no feature names", extra.Error);
    }

    // A log's table was cut to 200 characters: with 40 classes eval squeezed the confusion matrix into columns of two
    // characters, the labels shortened to 'c…', a count of 17 broken over two lines as 1 and 7, and the recall column lost.
    [Fact]
    public void AConfusionMatrixOfManyClassesIsWrittenWholeInALog()
    {
        using var cli = new Cli();
        string[] labels = Enumerable.Range(0, 40).Select(c => $"class_{c:00}").ToArray();
        var random = new Random(1);
        string data = cli.Write("many.csv", "x1,x2,label\n" + string.Concat(Enumerable.Range(0, 800).Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r % 40 + random.NextDouble() / 10:F3},{random.NextDouble():F3},{labels[r % 40]}\n"))));
        string model = cli.PathOf("many.safetensors");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "16", "--epochs", "3", "--save", model).ExitCode);

        // The counts expected: each row's actual label against the one predict gives it.
        string[] predicted = cli.Run("predict", "--model", model, "--data", data).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Select(line => line.Split(',')[0]).ToArray();
        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        string[][] table = eval.Out.Split('\n').Where(line => line.StartsWith("| ")).Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray()).ToArray();
        Assert.Equal(["", "actual \\ predicted", .. labels, "recall", ""], table[0]);
        Assert.Equal(labels.Length + 1, table.Length);
        for (int a = 0; a < labels.Length; a++)
        {
            Assert.Equal(labels[a], table[a + 1][1]);
            for (int p = 0; p < labels.Length; p++)
            {
                int count = Enumerable.Range(0, predicted.Length).Count(r => r % 40 == a && predicted[r] == labels[p]);
                Assert.Equal(count.ToString(CultureInfo.InvariantCulture), table[a + 1][p + 2]);
            }
        }
    }

    [Fact]
    public void EvalOfARegressionModelReportsTheLibrarysRSquaredInTheTargetsUnits()
    {
        using var cli = new Cli();
        string model = cli.PathOf("ridge.safetensors"), data = Cli.Data("diabetes.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "", "--optimizer", "sgd", "--epochs", "30", "--save", model).ExitCode);
        var (saved, rows, outputs) = Library<float>(model, data);
        Standardizer target = saved.Info.Target!;
        double[] predictions = outputs.Select(z => z * target.Scales[0] + target.Means[0]).ToArray();
        double[] y = rows.Targets.ToArray().Select(v => (double)v).ToArray();
        double mean = y.Average();
        double r2 = 1 - y.Select((v, i) => (v - predictions[i]) * (v - predictions[i])).Sum() / y.Sum(v => (v - mean) * (v - mean));

        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Equal(r2, eval.Number(@"R² ([-0-9.]+),"), 4);

        CliRun predict = cli.Run("predict", "--model", model, "--data", data);
        string[] lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("target", lines[0]);
        Assert.Equal(predictions[7], double.Parse(lines[8], CultureInfo.InvariantCulture), 1e-3);
    }

    [Fact]
    public void EvalAndPredictReadAModelTrainedOnAFullBatchOfManyRows()
    {
        // A run of --batch-size 2,000,000 on as many rows records max_batch 2,000,000 (about 1 GB of working memory for
        // this 30-16-1 model). ModelFile.Load refuses that max_batch past its 256 MiB budget unless the caller passes
        // maxBatch: eval and predict, which run a Predictor, must not refuse a model train wrote (they did: exit 2,
        // "pass maxBatch to ModelFile.Load"). The file is a small run's, its max_batch edited as such a run writes it.
        using var cli = new Cli();
        string small = cli.PathOf("small.safetensors"), large = cli.PathOf("large.safetensors"), data = Cli.Data("breast_cancer.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "16", "--epochs", "1", "--batch-size", "64", "--save", small).ExitCode);
        File.WriteAllBytes(large, WithMaxBatch(File.ReadAllBytes(small), 2_000_000));
        Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(large)); // the library's default, documented

        foreach (string command in new[] { "eval", "predict" })
        {
            CliRun expected = cli.Run(command, "--model", small, "--data", data), actual = cli.Run(command, "--model", large, "--data", data);
            Assert.True(actual.ExitCode == 0, actual.ToString());
            Assert.Equal(expected.Out, actual.Out);
        }
    }

    // The model file with the max_batch its architecture records changed to <paramref name="maxBatch"/>.
    private static byte[] WithMaxBatch(byte[] file, int maxBatch)
    {
        int headerLength = checked((int)BitConverter.ToInt64(file, 0));
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(file, 8, headerLength))!.AsObject();
        var metadata = header["__metadata__"]!.AsObject();
        string architecture = metadata["fastnn.architecture"]!.GetValue<string>();
        string edited = System.Text.RegularExpressions.Regex.Replace(architecture, "\"max_batch\":[0-9]+,", $"\"max_batch\":{maxBatch},");
        Assert.NotEqual(architecture, edited);
        metadata["fastnn.architecture"] = edited;
        string text = header.ToJsonString();
        byte[] newHeader = System.Text.Encoding.UTF8.GetBytes(text.PadRight((text.Length + 7) / 8 * 8));
        return [.. BitConverter.GetBytes((long)newHeader.Length), .. newHeader, .. file.AsSpan(8 + headerLength)];
    }

    [Fact]
    public void AResumedRunEndsBitIdenticalToAnUninterruptedOne()
    {
        using var cli = new Cli();
        string[] run = ["--layers", "32", "--dropout", "0.2", "--batch-size", "64"];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "4", "--save", cli.PathOf("whole.safetensors")]).ExitCode);
        CliRun first = Train(cli, [.. run, "--epochs", "2", "--checkpoint-every", "2", "--checkpoint", cli.PathOf("half.ckpt"), "--save", cli.PathOf("half.safetensors")]);
        Assert.True(first.ExitCode == 0, first.ToString());
        CliRun second = Train(cli, [.. run, "--epochs", "4", "--resume", cli.PathOf("half.ckpt"), "--save", cli.PathOf("resumed.safetensors")]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("resumed: ", second.Out);
        Assert.Equal(["epoch 3/4", "epoch 4/4"], second.Out.Split('\n').Where(l => l.StartsWith("epoch", StringComparison.Ordinal)).Select(l => l[..9]));

        Sequential<float> whole = ModelFile.Load<float>(cli.PathOf("whole.safetensors")).Model;
        Sequential<float> resumed = ModelFile.Load<float>(cli.PathOf("resumed.safetensors")).Model;
        Sequential<float> half = ModelFile.Load<float>(cli.PathOf("half.safetensors")).Model;
        Assert.Equal(whole.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.NotEqual(whole.Parameters.ToArray(), half.Parameters.ToArray());
    }

    // Cosine annealing spans the run's epochs: a 2-epoch run resumed to 4 ran epochs 3 and 4 on a 4-epoch cosine after
    // the first two of a 2-epoch one (the rate back up from its lowest to half), ending as no run that never stopped.
    [Fact]
    public void ACosineRunResumedWithOtherEpochsIsRefused()
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("cosine.ckpt");
        string[] run = ["--data", Cli.Data("diabetes.csv"), "--layers", "4", "--schedule", "cosine", "--checkpoint-every", "1", "--checkpoint", checkpoint];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "2"]).ExitCode);
        CliRun longer = Train(cli, [.. run, "--epochs", "4", "--resume", checkpoint]);
        Assert.True(longer.ExitCode == 2, longer.ToString());
        Assert.Equal($"fastnn: --epochs 4: {checkpoint} was saved by a run of 2 epochs, over which its cosine schedule anneals the learning rate; the resumed run keeps that schedule: give --epochs 2.",
            Assert.Single(longer.ErrorLines));
        Assert.DoesNotContain("epoch 3", longer.Out);
    }

    // A run resumed at its end runs no epoch: it said 'checkpoint: <file>' of a --checkpoint it had not written.
    [Fact]
    public void AResumedRunWithNoEpochLeftWritesTheCheckpointItNames()
    {
        using var cli = new Cli();
        string[] run = ["--data", Cli.Data("diabetes.csv"), "--layers", "4", "--epochs", "2", "--checkpoint-every", "1"];
        Assert.Equal(0, Train(cli, [.. run, "--checkpoint", cli.PathOf("first.ckpt")]).ExitCode);
        string again = cli.PathOf("again.ckpt");
        CliRun resumed = Train(cli, [.. run, "--checkpoint", again, "--resume", cli.PathOf("first.ckpt"), "--save", cli.PathOf("resumed.safetensors")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"checkpoint: {again}\n", resumed.Out);
        Assert.Equal(File.ReadAllBytes(cli.PathOf("first.ckpt")), File.ReadAllBytes(again));
    }

    [Fact]
    public void ACheckpointRecordingABatchAboveItsRowsAsOlderBuildsDidResumes()
    {
        // Before the batch was clamped to the training rows, the run recorded the --batch-size given (64 on these 40 rows,
        // run as one batch of them all, as now): such a checkpoint was refused as "saved by a run with other options
        // (--batch-size 64 there, 40 here)".
        using var cli = new Cli();
        var rows = new System.Text.StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
            rows.Append(CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{(i % 3 == 0 ? 1 : 0)}\n");
        string checkpoint = cli.PathOf("old.ckpt");
        string[] run = ["--data", cli.Write("rows.csv", rows.ToString()), "--layers", "4", "--test-fraction", "0", "--batch-size", "64"];
        CliRun first = Train(cli, [.. run, "--epochs", "1", "--checkpoint-every", "1", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("epoch of batch 40,", first.Out);
        File.WriteAllBytes(checkpoint, WithNote(File.ReadAllBytes(checkpoint), "--batch-size", "64"));

        CliRun resumed = Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint, "--save", cli.PathOf("resumed.safetensors")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "2", "--save", cli.PathOf("whole.safetensors")]).ExitCode);
        Assert.Equal(File.ReadAllBytes(cli.PathOf("whole.safetensors")), File.ReadAllBytes(cli.PathOf("resumed.safetensors")));
        // A batch that does differ as run is still refused, named as recorded.
        CliRun other = Train(cli, [.. run[..^1], "8", "--epochs", "2", "--resume", checkpoint]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("--batch-size 64 there, 8 here", other.Error);
    }

    [Fact]
    public void AResumeOnTheSameRowsWithTheirHeaderWrittenDecomposedGoesOn()
    {
        // Columns are matched in Unicode normal form C, as eval and predict match them, and class labels are read so: the
        // same rows with an 'é' that macOS wrote decomposed were refused, the label column as "saved by a run with other
        // options (--label-column état there, état here)", a feature's name as "trained on other rows than this run's
        // (its columns differ)".
        using var cli = new Cli();
        var rows = new System.Text.StringBuilder();
        for (int i = 0; i < 40; i++)
            rows.Append(CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{(i % 3 == 0 ? "n\u00e9gatif" : "positif")}\n");
        string composed = $"caf\u00e9,b,\u00e9tat\n{rows}", decomposed = composed.Normalize(System.Text.NormalizationForm.FormD);
        Assert.NotEqual(composed, decomposed);
        string data = cli.Write("rows.csv", composed), checkpoint = cli.PathOf("rows.ckpt");
        string[] run = ["--data", data, "--layers", "4", "--test-fraction", "0", "--checkpoint-every", "1", "--checkpoint", checkpoint];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "1"]).ExitCode);

        cli.Write("rows.csv", decomposed);
        CliRun resumed = Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resumed: ", resumed.Out);
        // Another column is still another column.
        cli.Write("rows.csv", composed.Replace("caf\u00e9,", "cafe,"));
        CliRun other = Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]);
        Assert.True(other.ExitCode == 2, other.ToString());
        Assert.Contains("(its columns differ)", other.Error);
    }

    [Fact]
    public void AResumeOnTheSameRowsUnderAnotherFileNameGoesOn()
    {
        // --data was compared by its file name: a resume on a renamed copy of the rows was refused as "saved by a run with
        // other options (--data diabetes.csv there, copy.csv here)", though the checkpoint records the rows read.
        using var cli = new Cli();
        string original = Cli.Data("diabetes.csv"), copy = cli.PathOf("copy.csv"), checkpoint = cli.PathOf("half.ckpt");
        File.Copy(original, copy);
        string[] run = ["--layers", "8", "--batch-size", "32"];
        // The model file records the --data given: the resumed run ends as one on the copy that never stopped.
        Assert.Equal(0, Train(cli, [.. run, "--data", copy, "--epochs", "3", "--save", cli.PathOf("whole.safetensors")]).ExitCode);
        Assert.Equal(0, Train(cli, [.. run, "--data", original, "--epochs", "2", "--checkpoint-every", "2", "--checkpoint", checkpoint]).ExitCode);

        CliRun resumed = Train(cli, [.. run, "--data", copy, "--epochs", "3", "--resume", checkpoint, "--save", cli.PathOf("resumed.safetensors")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resumed: ", resumed.Out);
        Assert.Equal(File.ReadAllBytes(cli.PathOf("whole.safetensors")), File.ReadAllBytes(cli.PathOf("resumed.safetensors")));

        // Other rows under another name (the copy without its last row) are still refused, by what they change.
        File.WriteAllLines(copy, File.ReadAllLines(original)[..^1]);
        CliRun other = Train(cli, [.. run, "--data", copy, "--epochs", "3", "--resume", checkpoint]);
        Assert.True(other.ExitCode == 2, other.ToString());
        Assert.StartsWith($"fastnn: --resume: {checkpoint} was trained on other rows than this run's (its ", Assert.Single(other.ErrorLines));

        // The embedded digits and a file of the same rows are still told apart.
        string digits = cli.PathOf("digits.ckpt");
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "1", "--checkpoint-every", "1", "--checkpoint", digits]).ExitCode);
        CliRun file = Train(cli, [.. run, "--data", Cli.Data("digits.csv.gz"), "--epochs", "2", "--resume", digits]);
        Assert.True(file.ExitCode == 2, file.ToString());
        Assert.Contains("(--data digits.csv.gz (embedded) there, digits.csv.gz here)", file.Error);
    }

    // The file with the run note of <paramref name="option"/> changed to <paramref name="value"/>.
    private static byte[] WithNote(byte[] file, string option, string value)
    {
        int headerLength = checked((int)BitConverter.ToInt64(file, 0));
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(file, 8, headerLength))!.AsObject();
        var metadata = header["__metadata__"]!.AsObject();
        var notes = System.Text.Json.Nodes.JsonNode.Parse(metadata["fastnn.notes"]!.GetValue<string>())!.AsObject();
        Assert.NotEqual(value, notes[option]!.GetValue<string>());
        notes[option] = value;
        metadata["fastnn.notes"] = notes.ToJsonString();
        string text = header.ToJsonString();
        byte[] newHeader = System.Text.Encoding.UTF8.GetBytes(text.PadRight((text.Length + 7) / 8 * 8));
        return [.. BitConverter.GetBytes((long)newHeader.Length), .. newHeader, .. file.AsSpan(8 + headerLength)];
    }

    [Fact]
    public void InitWeightsStartsFromTheGivenWeightsAndLoadsStrictly()
    {
        using var cli = new Cli();
        string start = cli.PathOf("start.safetensors");
        Assert.Equal(0, Train(cli, "--layers", "16", "--epochs", "1", "--save", start).ExitCode);

        // A learning rate too small to move a float weight: the saved model is the starting one.
        CliRun same = Train(cli, "--layers", "16", "--epochs", "1", "--optimizer", "sgd", "--lr", "1e-30", "--init-weights", start, "--save", cli.PathOf("same.safetensors"));
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Equal(ModelFile.Load<float>(start).Model.Parameters.ToArray(), ModelFile.Load<float>(cli.PathOf("same.safetensors")).Model.Parameters.ToArray());

        CliRun wrong = Train(cli, "--layers", "8", "--epochs", "1", "--init-weights", start);
        Assert.True(wrong.ExitCode == 2, wrong.ToString());
        Assert.Single(wrong.ErrorLines);
        Assert.Contains("start.safetensors", wrong.Error);
        Assert.Contains("0.weight", wrong.Error);
    }

    // Ctrl-C during train points to the checkpoint; given to eval, predict or --init-weights it was described by its
    // optimizer tensors ("unexpected optimizer.exp_avg, ..."), not as the checkpoint it is and what to do with it.
    [Fact]
    public void ACheckpointGivenAsAModelIsNamedAsOneWithWhatToDo()
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.checkpoint.safetensors"), data = Cli.Data("diabetes.csv");
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "8", "--epochs", "1", "--checkpoint-every", "1", "--checkpoint", checkpoint).ExitCode);
        foreach (string command in new[] { "eval", "predict" })
        {
            CliRun run = cli.Run(command, "--model", checkpoint, "--data", data);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal(
                $"fastnn: --model: {checkpoint} is a FastNN checkpoint (a training run saved to be resumed), not a model file: to go on with its run, give the "
                + $"fastnn train command that wrote it again with --resume {checkpoint}; to evaluate or predict, give --model the model file train saves when a run ends (--save).",
                Assert.Single(run.ErrorLines));
        }
        CliRun init = Train(cli, "--data", data, "--layers", "8", "--epochs", "1", "--init-weights", checkpoint);
        Assert.True(init.ExitCode == 2, init.ToString());
        Assert.Equal(
            $"fastnn: --init-weights: {checkpoint} is a FastNN checkpoint (a training run saved to be resumed), not a weights file: to go on with its run, give it to --resume instead.",
            Assert.Single(init.ErrorLines));
    }

    [Fact]
    public void BadModelFilesAndMismatchedDataAreUsageErrors()
    {
        using var cli = new Cli();
        string garbage = cli.Write("garbage.safetensors", "this is not a model");
        CliRun bad = cli.Run("eval", "--model", garbage, "--data", Cli.Data("diabetes.csv"));
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Single(bad.ErrorLines);
        Assert.Contains("garbage.safetensors", bad.Error);

        CliRun missing = cli.Run("predict", "--model", cli.PathOf("none.safetensors"), "--data", Cli.Data("diabetes.csv"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("--model: there is no file", missing.Error);

        string model = cli.PathOf("digits.safetensors");
        Assert.Equal(0, Train(cli, "--layers", "8", "--epochs", "1", "--save", model).ExitCode);
        CliRun columns = cli.Run("eval", "--model", model, "--data", Cli.Data("diabetes.csv"));
        Assert.True(columns.ExitCode == 2, columns.ToString());
        Assert.Contains("diabetes.csv, line 1", columns.Error);
        Assert.Contains("there is no ", columns.Error); // neither its label column nor its feature columns

        string header = string.Join(',', Enumerable.Range(0, 64).Select(i => $"p{i}")) + ",label\n";
        string unknown = cli.Write("eleven.csv", header + string.Join(',', Enumerable.Repeat("1", 64)) + ",10\n");
        CliRun label = cli.Run("eval", "--model", model, "--data", unknown);
        Assert.True(label.ExitCode == 2, label.ToString());
        Assert.Contains("eleven.csv, line 2, column 65", label.Error);
        Assert.Contains("not one of the 10 known classes", label.Error);
    }
}
