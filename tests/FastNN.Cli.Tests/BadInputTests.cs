using FastNN.Data;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Cli.Tests;

/// <summary>Every user mistake: exit code 2 and one line on stderr naming the file, line and column, or the option; never a stack trace.</summary>
public class BadInputTests
{
    private static CliRun Train(Cli cli, params string[] args) =>
        cli.Run(["train", "--plot", cli.PathOf("p.png"), .. args.Contains("--epochs") ? args : ["--epochs", "1", .. args]]);

    private static void AssertUsageError(CliRun run, params string[] fragments)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.StartsWith("fastnn: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, run.Error);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,0\n1,x,1\n", "bad.csv, line 3, column 2", "'x'")]
    [InlineData("a,b,y\n1,2,0\n1,2\n", "bad.csv, line 3:", "2 cells, but the header has 3 columns")]
    [InlineData("a,b,y\n1,2,0\nNaN,2,1\n", "bad.csv, line 3, column 1", "not a finite number")]
    [InlineData("a,b,y\n1,2,0\n1,Infinity,1\n", "bad.csv, line 3, column 2", "not a finite number")]
    [InlineData("", "bad.csv, line 1:", "empty")]
    [InlineData("a,b,y\n", "bad.csv, line 1:", "no data rows")]
    [InlineData("a;b;y\n1,5;2;0\n", "bad.csv, line 2, column 1", "'.' as the decimal point")]
    [InlineData("a,b,y\n\"1,2,0\n", "bad.csv, line 2, column 1", "not closed")]
    public void MalformedCsvNamesFileLineAndColumn(string text, string where, string problem)
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", cli.Write("bad.csv", text)), where, problem);
    }

    // A file is named by its name; a device or a pipe by the path given: "null, line 1" and "stdin, line 2" (a shell's
    // <(…) read "63, line 2") named nothing the user typed.
    [Fact]
    public void ADeviceOrAPipeGivenAsDataIsNamedByItsPath()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", "/dev/null"), "fastnn: /dev/null, line 1:", "empty");
        (int exit, _, string error) = Cli.Shell("printf 'a,b,y\\n1,x,0\\n' | exec \"$@\"",
            "train", "--data", "/dev/stdin", "--epochs", "1", "--save", cli.PathOf("m.safetensors"), "--plot", cli.PathOf("m.png"));
        Assert.True(exit == 2, error);
        Assert.StartsWith("fastnn: /dev/stdin, line 2, column 2", error);
    }

    [Fact]
    public void ControlCharactersOfAFileAreNotWrittenToTheTerminal()
    {
        // A binary file given as --data: the message quotes its first line, whose escape sequences reached the terminal.
        using var cli = new Cli();
        string data = cli.PathOf("binary.csv");
        File.WriteAllBytes(data, [0x1b, (byte)'[', (byte)'2', (byte)'J', 0x07, (byte)'x', 0x00, (byte)'y', (byte)'\n', (byte)'1', (byte)'\n']);
        CliRun run = Train(cli, "--data", data);
        AssertUsageError(run, "binary.csv, line 1", "'?[2J?x?y'");
        Assert.DoesNotContain(run.Error.TrimEnd(), char.IsControl);
    }

    // A value to evaluate or predict that the model file's standardization takes beyond float: the library's words came
    // through, "Feature 's5' (column 8) of row 1 (counting from 0), ... (Parameter 'data')", naming no file.
    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    public void AValueTheModelStandardizesBeyondFloatNamesItsRowInTheFile(string command)
    {
        using var cli = new Cli();
        string model = cli.DiabetesModel();
        string[] lines = File.ReadAllLines(Cli.Data("diabetes.csv"));
        Assert.Equal("s5", lines[0].Split(',')[8]);
        string[] far = lines[2].Split(',');
        far[8] = "3e38";
        string data = cli.Write("far.csv", string.Join("\n", [lines[0], lines[1], string.Join(',', far), lines[3]]) + "\n");
        CliRun run = cli.Run(command, "--model", model, "--data", data);
        AssertUsageError(run, "far.csv, data row 2 ", "feature 's5', 3E+38,", "beyond the range of float", "--double");
        Assert.DoesNotContain("(Parameter", run.Error);
        CliRun inDouble = cli.Run(command, "--model", model, "--data", data, "--double");
        Assert.True(inDouble.ExitCode == 0, inDouble.ToString());
    }

    // A model saved in double with a weight float cannot hold, run without --double: the library's "load the file as
    // double" came through, which names no option of the command.
    [Theory]
    [InlineData("eval", "--model")]
    [InlineData("predict", "--model")]
    [InlineData("train", "--init-weights")]
    public void AModelFileBeyondFloatNamesTheDoubleOption(string command, string option)
    {
        using var cli = new Cli();
        string model = cli.PathOf("wide.safetensors");
        Assert.Equal(0, cli.Run("train", "--data", Cli.Data("diabetes.csv"), "--layers", "8", "--epochs", "1", "--double", "--save", model).ExitCode);
        SavedModel<double> saved = ModelFile.Load<double>(model);
        saved.Model.Parameter("0.weight")[5] = -1e300;
        ModelFile.Save(model, saved.Model, saved.Info);
        CliRun run = command == "train"
            ? Train(cli, "--data", Cli.Data("diabetes.csv"), "--layers", "8", "--init-weights", model)
            : cli.Run(command, "--model", model, "--data", Cli.Data("diabetes.csv"));
        AssertUsageError(run, $"{option}: {model}", "beyond the range of float", "--double");
        Assert.DoesNotContain("load the file as double", run.Error);
    }

    // A value of the data beyond float's range, read without --double: the CSV reader's "read the file as double" came
    // through, which names no option of the command. gradflow runs in float alone and says so.
    [Theory]
    [InlineData("train", "; give --double to read the file as double.")]
    [InlineData("cv", "; give --double to read the file as double.")]
    [InlineData("eval", "; give --double to read the file as double.")]
    [InlineData("predict", "; give --double to read the file as double.")]
    [InlineData("gradflow", "; gradflow runs in float alone.")]
    public void ADataValueBeyondFloatNamesTheDoubleOption(string command, string remedy)
    {
        using var cli = new Cli();
        string[] lines = File.ReadAllLines(Cli.Data("diabetes.csv"));
        string[] far = lines[2].Split(',');
        far[8] = "1e39";
        string data = cli.Write("far.csv", string.Join("\n", [lines[0], lines[1], string.Join(',', far), .. lines[3..40]]) + "\n");
        string[] args = command switch
        {
            "eval" or "predict" => [command, "--model", cli.DiabetesModel(), "--data", data],
            "cv" => [command, "--data", data, "--folds", "2", "--epochs", "1"],
            "gradflow" => [command, "--data", data, "--epochs", "1", "--depth", "1", "--plot", cli.PathOf("g.png")],
            _ => ["train", "--data", data, "--epochs", "1", "--plot", cli.PathOf("p.png")],
        };
        CliRun run = cli.Run(args);
        AssertUsageError(run, "far.csv, line 3, column 9: '1e39' in column 's5' is beyond the range of float (3.4028235E+38)" + remedy);
        if (command != "gradflow")
        {
            CliRun inDouble = cli.Run([.. args, "--double"]);
            Assert.True(inDouble.ExitCode == 0, inDouble.ToString());
        }
    }

    // A held-out value far outside the training rows' spread standardizes beyond float's range. Before: the library's
    // message reached the user as is, counting the row within the held-out part, and ending "(Parameter 'data')".
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHeldOutValueBeyondTheRangeNamesItsRowInTheFile(bool target)
    {
        const int rows = 10, seed = 1;
        // Which rows --seed 1 holds out (regression: not stratified); the last of them carries the huge value, so that
        // its place in the held-out part (0 or 1) is not its row in the file.
        var ids = new Dataset<float>([.. Enumerable.Range(0, rows).Select(i => (float)i)], new float[rows], 1);
        int held = (int)ids.Split(0.2, seed).Validation.Features.ToArray().Max();
        var text = new System.Text.StringBuilder("a,b,y\n");
        for (int i = 0; i < rows; i++)
        {
            string b = !target && i == held ? "3e38" : (1 + (i % 2) * 1e-6).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string y = target && i == held ? "3e38" : (1 + (i % 2) * 1e-6).ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append($"{i},{b},{y}\n");
        }
        using var cli = new Cli();
        CliRun run = Train(cli, "--data", cli.Write("far.csv", text.ToString()), "--task", "regress", "--seed", $"{seed}", "--test-fraction", "0.2");
        AssertUsageError(run, $"far.csv, data row {held + 1} ", "held out", target ? "target 'y'" : "feature 'b', 3E+38,", "3E+38", "--no-standardize");
        Assert.DoesNotContain("(Parameter", run.Error);
    }

    [Fact]
    public void TooFewRowsToHoldOutAPartNameTestFraction()
    {
        using var cli = new Cli();
        string data = cli.Write("four.csv", "a,b,y\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n");
        CliRun run = Train(cli, "--data", data);
        AssertUsageError(run, "--test-fraction 0.2: ", "4 rows", "0 to train on every row");
        Assert.DoesNotContain("validationFraction", run.Error);
        Assert.Equal(0, Train(cli, "--data", data, "--test-fraction", "0").ExitCode);
    }

    // A regression that held out one row trained, printed "R² NaN" after every epoch and at the end, and exited 0, while
    // cv refuses a fold of one row for the same reason: R² compares the errors with the targets' variance, which one row lacks.
    [Fact]
    public void ARegressionHoldingOutOneRowIsRefusedBeforeTraining()
    {
        using var cli = new Cli();
        string data = cli.Write("ten.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{i * 0.5 + 0.25}\n")));
        CliRun run = Train(cli, "--data", data, "--test-fraction", "0.1");
        AssertUsageError(run, "--test-fraction 0.1: 10 rows hold out 1, and R² needs at least 2 held-out rows; give a larger fraction, or 0 to train on every row.");
        Assert.DoesNotContain("NaN", run.Out);
        Assert.Equal(0, Train(cli, "--data", data, "--test-fraction", "0.2").ExitCode);
    }

    // A file the process may not read was refused in the runtime's words, naming no option: "fastnn: Access to the path
    // '/…/noread.csv' is denied.", while an output it may not write names its option.
    [Theory]
    [InlineData("--data")]
    [InlineData("--model")]
    public void AnInputFileThatMayNotBeReadNamesItsOption(string option)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser"))
            return; // the other user and the root-owned file need root
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        File.SetUnixFileMode(cli.Folder, File.GetUnixFileMode(cli.Folder) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        string closed = cli.PathOf("closed");
        File.Copy(option == "--data" ? data : model, closed);
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (int exit, _, string error) = Cli.Shell("exec /usr/sbin/runuser -u nobody -- \"$@\"",
            "eval", "--model", option == "--model" ? closed : model, "--data", option == "--data" ? closed : data);
        Assert.True(exit == 2, $"exit {exit}\n{error}");
        Assert.Equal($"fastnn: {option}: cannot read '{closed}': Permission denied.", error.TrimEnd());
    }

    // access(2) answers for the real user without its capabilities: a process granted CAP_DAC_READ_SEARCH (a backup
    // service's) reads any file, yet --data and --model were refused "cannot read …: Permission denied." by that check.
    [Theory]
    [InlineData("--data")]
    [InlineData("--model")]
    public void AnInputFileReadableThroughACapabilityIsRead(string option)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
            return; // the other user, its capability and the root-owned file need root
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        string source = option == "--data" ? data : model;
        string closed = Path.Combine(Directory.CreateDirectory(cli.PathOf("closed")).FullName, Path.GetFileName(source)); // the same name: eval prints it
        File.Copy(source, closed);
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        CliRun asRoot = cli.Run("eval", "--model", model, "--data", data);
        (int exit, string output, string error) = Cli.Shell(
            "exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+dac_read_search --ambient-caps=+dac_read_search \"$@\"",
            "eval", "--model", option == "--model" ? closed : model, "--data", option == "--data" ? closed : data);
        Assert.True(exit == 0, $"exit {exit}\n{error}");
        Assert.Equal(asRoot.Out, output);
    }

    // An empty entry of a list of numbers was skipped without a word, while --layers 4, was refused.
    [Theory]
    [InlineData("--learning-rates", "0.01,,0.1", "--learning-rates: '' is not a finite non-negative number")]
    [InlineData("--lambdas", "0,1e-3,", "--lambdas: '' is not a finite non-negative number")]
    [InlineData("--layers", "4,", "--layers: '' is not a positive integer")]
    // A list quoted with spaces between its entries: it said "'0.01 0.1' is not a finite non-negative number" and no more.
    [InlineData("--learning-rates", "0.01 0.1", "--learning-rates: '0.01 0.1' is not a finite non-negative number: separate the entries with commas (0.01,0.1).")]
    [InlineData("--layers", "64 32", "--layers: '64 32' is not a positive integer: separate the entries with commas (64,32).")]
    public void AnEmptyOrSpaceSeparatedEntryOfAListIsRefused(string option, string value, string message)
    {
        using var cli = new Cli();
        AssertUsageError(cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--folds", "2", "--epochs", "1", option, value), message);
    }

    // A list entry below double's smallest read as 0, as --lr's did before it said so: --learning-rates 1e-400 was refused
    // with "got 0", and --lambdas 0.01,1e-400 ran a λ of 0 the user did not give.
    [Theory]
    [InlineData("--learning-rates", "0.01,1e-400")]
    [InlineData("--lambdas", "0.01,1e-400")]
    public void AListEntryBelowTheSmallestDoubleIsRefused(string option, string value)
    {
        using var cli = new Cli();
        CliRun run = cli.Run("cv", "--data", Cli.Data("diabetes.csv"), "--folds", "2", "--epochs", "1", option, value);
        AssertUsageError(run, $"fastnn: {option}: '1e-400' is below the smallest double (4.9E-324) and would read as 0.");
        Assert.Equal("", run.Out);
    }

    // predict with --delimiter ';' on a comma file said "there is no column 'age' ...; the header has age,sex,...": the one
    // column it read, with no word of the delimiter.
    [Fact]
    public void AHeaderReadAsOneColumnHoldingAnotherDelimiterSaysSo()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("predict", "--model", cli.DiabetesModel(), "--data", Cli.Data("diabetes.csv"), "--delimiter", ";");
        AssertUsageError(run, "diabetes.csv, line 1: there is no column 'age'", "read as one column split at ';'", "holds ','");
    }

    [Theory]
    [InlineData("a\tb\ty\n1\t2\t0\n", null, "split at ','", "'a\\tb\\ty'")]
    [InlineData("a,b,y\n1,2,0\n", ";", "split at ';'", "'a,b,y'")]
    public void AHeaderOfOneColumnShowsTheDelimiterItWasSplitAt(string text, string? delimiter, string split, string shown)
    {
        using var cli = new Cli();
        string data = cli.Write("data.csv", text);
        AssertUsageError(Train(cli, delimiter is null ? ["--data", data] : ["--data", data, "--delimiter", delimiter]),
            "data.csv, line 1: the header has 1 column", split, shown, "',' or ';'");
    }

    [Fact]
    public void AClassificationTargetWithOneClassIsRejected()
    {
        using var cli = new Cli();
        string data = cli.Write("one.csv", "a,kind\n1,cat\n2,cat\n3,cat\n");
        AssertUsageError(Train(cli, "--data", data), "one.csv, line 1, column 2", "one class ('cat')");
    }

    [Fact]
    public void AMissingLabelColumnIsNamed()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", Cli.Data("diabetes.csv"), "--label-column", "outcome"), "diabetes.csv, line 1", "no label column 'outcome'", "bmi");
    }

    // eval reads the target column by the name the model records: a file that names it otherwise was told "there is no
    // label column 'target'", with no word of --label-column, which names the file's own.
    [Fact]
    public void EvalOnAFileThatNamesTheTargetOtherwiseNamesTheLabelColumnOption()
    {
        using var cli = new Cli();
        string data = cli.Write("renamed.csv", File.ReadAllText(Cli.Data("diabetes.csv")).Replace("s6,target\n", "s6,y\n", StringComparison.Ordinal));
        AssertUsageError(cli.Run("eval", "--model", cli.DiabetesModel(), "--data", data),
            "renamed.csv, line 1: there is no label column 'target'", "s6, y", "--label-column");
    }

    // A CSV file without its header row: its first row was read as the column names, trained on as one row fewer and
    // recorded as the model's names (target '151'), as eval and predict call a missing header row.
    [Theory]
    [InlineData("train")]
    [InlineData("cv")]
    public void AHeaderOfNumbersOnlyIsAMissingHeaderRow(string command)
    {
        using var cli = new Cli();
        string headless = cli.Write("headless.csv", string.Concat(File.ReadLines(Cli.Data("diabetes.csv")).Skip(1).Select(l => l + "\n")));
        CliRun run = command == "train" ? Train(cli, "--data", headless) : cli.Run("cv", "--data", headless, "--epochs", "1", "--lambdas", "0");
        AssertUsageError(run, "headless.csv: ", "59, 2, 32.1", "the header row of column names is missing");
        Assert.Equal("", run.Out);
    }

    // The same with class labels that are words, as UCI's iris.data comes: the first row's label was taken for the target's
    // name, its numbers for the features' ("data: iris.data, 89 rows, 4 features, target 'setosa'"), and the run trained
    // on the rest; the model recorded a target named as one of its classes.
    [Theory]
    [InlineData("train")]
    [InlineData("cv")]
    public void AHeaderOfNumbersAndOneOfTheTargetsClassesIsAMissingHeaderRow(string command)
    {
        using var cli = new Cli();
        string headless = cli.Write("iris.data", string.Concat(Enumerable.Range(0, 30).Select(i => $"{i % 7}.5,{i % 5},{i % 3}.1,{(i % 3 == 0 ? "setosa" : i % 3 == 1 ? "versicolor" : "virginica")}\n")));
        CliRun run = command == "train" ? Train(cli, "--data", headless) : cli.Run("cv", "--data", headless, "--epochs", "1", "--lambdas", "0");
        AssertUsageError(run, "iris.data: ", "0.5, 0, 0.1, setosa", "the header row of column names is missing");
        Assert.Equal("", run.Out);
    }

    // The rule above cannot tell a real header whose features are named by numbers and whose target is named as one of
    // its classes ("1,2,3,yes" over labels yes and no) from a missing one: naming the target column by its name says the
    // first line is the header. It was refused all the same, "the header row of column names is missing", with no way
    // to train on the file short of renaming the column; the message named no way out.
    [Fact]
    public void AHeaderOfNumbersAndAClassIsTakenWhenTheLabelColumnIsNamed()
    {
        using var cli = new Cli();
        string data = cli.Write("numbered.csv", "1,2,3,yes\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i % 7}.5,{i % 5},{i % 3}.1,{(i % 2 == 0 ? "yes" : "no")}\n")));
        AssertUsageError(Train(cli, "--data", data), "numbered.csv: ", "1, 2, 3, yes", "the header row of column names is missing", "--label-column yes");
        CliRun named = Train(cli, "--data", data, "--label-column", "yes");
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.Contains("target 'yes'", named.Out);
    }

    // A model file and a CSV file given the other way round: the model was "not a safetensors file, or a damaged one: the
    // header length field says 3204422680214595425 bytes", and the CSV "the header has 1 column split at ',' ('\uFFFD')".
    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("train")]
    public void AModelFileAndACsvFileGivenForEachOtherAreNamedSo(string command)
    {
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        if (command != "train")
            AssertUsageError(cli.Run(command, "--model", data, "--data", model), "--model: ", "diabetes.csv is text, not a model file", "--data");
        CliRun run = command == "train" ? Train(cli, "--data", model) : cli.Run(command, "--model", model, "--data", model);
        AssertUsageError(run, "--data: ", "diabetes.safetensors is a safetensors model file, not CSV", "--model");
    }

    // A plot given as the data (--data loss.png): eval and predict, which look the model's columns up by name, said the
    // header's '\uFFFDPNG' "holds bytes that are not UTF-8: the file is likely Latin-1 …; save it as UTF-8", and train
    // that the header has 1 column.
    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("train")]
    public void APngImageGivenAsTheDataIsNamedSo(string command)
    {
        using var cli = new Cli();
        string png = cli.PathOf("loss.png");
        File.WriteAllBytes(png, [0x89, .. "PNG\r\n"u8, 0x1A, (byte)'\n', 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 2, 128, 0, 0, 1, 224, 8, 6, 0, 0, 0]);
        CliRun run = command == "train" ? Train(cli, "--data", png) : cli.Run(command, "--model", cli.DiabetesModel(), "--data", png);
        AssertUsageError(run, "loss.png: the file is not CSV text but a PNG image.");
        Assert.DoesNotContain("UTF-8", run.Error);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--data", cli.PathOf("nothing.csv")), "--data", "nothing.csv");
    }

    // The parser's response files, which the command does not document: '--data @rows.csv' spliced the file's lines into
    // the command line, its header taken as the --data value and each row refused as "Unrecognized command or argument".
    [Fact]
    public void AFileNameStartingWithAnAtSignIsAFile()
    {
        using var cli = new Cli();
        cli.Write("@rows.csv", "a,b,y\n1,2,0\n2,1,1\n3,4,0\n4,3,1\n5,6,0\n6,5,1\n7,8,0\n8,7,1\n");
        (int exit, string output, string error) = Cli.Shell($"cd '{cli.Folder}' && exec \"$@\"",
            "train", "--data", "@rows.csv", "--epochs", "1", "--layers", "2", "--test-fraction", "0", "--save", "m.safetensors", "--plot", "m.png");
        Assert.True(exit == 0, error);
        Assert.StartsWith("data: @rows.csv, 8 rows, 2 features", output);
    }

    [Theory]
    [InlineData("--data")]
    [InlineData("--init-weights")]
    [InlineData("--resume")]
    public void AMissingInputFileIsNamedBeforeAnyWork(string option)
    {
        // --init-weights and --resume were looked for after the data had been read and the network built, their lines printed.
        using var cli = new Cli();
        CliRun run = Train(cli, "--layers", "4", option, cli.PathOf("nothing.safetensors"));
        AssertUsageError(run, $"fastnn: {option}: there is no file", "nothing.safetensors");
        Assert.Equal("", run.Out);
    }

    [Theory]
    [InlineData("train", "--data")]
    [InlineData("train", "--init-weights")]
    [InlineData("train", "--resume")]
    [InlineData("eval", "--model")]
    [InlineData("predict", "--data")]
    public void AFolderGivenForAnInputFileIsCalledAFolder(string command, string option)
    {
        // It was "there is no file 'data'", of a folder that is there.
        using var cli = new Cli();
        string folder = Directory.CreateDirectory(cli.PathOf("data")).FullName, model = cli.PathOf("m.safetensors");
        if (command != "train")
            Assert.Equal(0, Train(cli, "--layers", "4", "--save", model).ExitCode);
        string[] args = command == "train"
            ? ["--layers", "4", option, folder]
            : ["--model", option == "--model" ? folder : model, "--data", option == "--data" ? folder : Cli.Data("breast_cancer.csv")];
        CliRun run = command == "train" ? Train(cli, args) : cli.Run([command, .. args]);
        AssertUsageError(run, $"fastnn: {option}: '{folder}' is a folder", "give a file");
    }

    [Fact]
    public void BinaryNeedsTwoClasses()
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, "--task", "binary"), "--task binary needs two classes", "has 10");
    }

    [Theory]
    [InlineData("--dropout", "1.5", "--dropout must be in [0, 1)")]
    [InlineData("--layers", "64,x", "--layers: 'x' is not a positive integer")]
    [InlineData("--layers", "0", "--layers: '0' is not a positive integer")]
    [InlineData("--schedule", "linear", "--schedule: 'linear' is not a schedule")]
    [InlineData("--schedule", "step:0:0.5", "--schedule: 'step:0:0.5' is not a schedule")]
    [InlineData("--lr", "-1", "--lr must be a finite number > 0")]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1")]
    [InlineData("--test-fraction", "1", "--test-fraction must be in [0, 1)")]
    [InlineData("--weight-decay", "-0.1", "--weight-decay must be a finite number ≥ 0")]
    [InlineData("--clip-norm", "0", "--clip-norm must be a finite number > 0")]
    [InlineData("--clip-value", "0", "--clip-value must be a finite number > 0")]
    [InlineData("--clip-value", "-1", "--clip-value must be a finite number > 0")]
    [InlineData("--warmup", "-1", "--warmup must be at least 0")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--momentum", "0.9", "--momentum applies to sgd and rmsprop")]
    [InlineData("--nesterov", null, "--nesterov needs --optimizer sgd and --momentum > 0")]
    [InlineData("--activation", "swish", "--activation: Argument 'swish' not recognized")]
    [InlineData("--optimizer", "lbfgs", "--optimizer: Argument 'lbfgs' not recognized")]
    [InlineData("--task", "cluster", "--task: Argument 'cluster' not recognized")]
    [InlineData("--delimiter", "|", "--delimiter: Argument '|' not recognized")]
    [InlineData("--lr", "fast", "--lr: 'fast' is not a number")]
    [InlineData("--epochs", "2.5", "--epochs: '2.5' is not an integer")]
    [InlineData("--epochs", "99999999999", "--epochs: '99999999999' is not an integer from -2147483648 to 2147483647")]
    [InlineData("--label-column", "99", "line 1: label column index 99 is outside the 65 columns")]
    // It said "(0 to 64, or -1 for the last)", though -2 to -65 count from the end too.
    [InlineData("--label-column", "-66", "line 1: label column index -66 is outside the 65 columns (0 to 64, or -65 to -1 from the end)")]
    // A number beyond double's range reads as infinity: the message said "got Infinity", not what was typed.
    [InlineData("--lr", "1e400", "--lr: '1e400' is not a finite number")]
    // One below double's smallest reads as 0: the message said "got 0".
    [InlineData("--lr", "1e-400", "--lr: '1e-400' is below the smallest double (4.9E-324) and would read as 0")]
    // A decimal comma, or a list where one number goes: it said "'0,001' is not a number" and no more.
    [InlineData("--lr", "0,001", "--lr: '0,001' is not a number: it takes one, with '.' as the decimal point; several learning rates are tried by cv's --learning-rates.")]
    [InlineData("--l2", "0,1e-3", "--l2: '0,1e-3' is not a number: it takes one, with '.' as the decimal point; several λ are tried by cv's --lambdas with --lambda-kind l2.")]
    [InlineData("--weight-decay", "0,0.01", "several λ are tried by cv's --lambdas with --lambda-kind weight-decay.")]
    [InlineData("--dropout", "0,2", "--dropout: '0,2' is not a number: it takes one, with '.' as the decimal point.")]
    [InlineData("--no-such-option", null, "--no-such-option")]
    public void ABadOptionValueNamesTheOption(string option, string? value, string message)
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, value is null ? [option] : [option, value]), message);
    }

    // Names a newcomer brings from other tools, and the start of a name, were answered with "Unrecognized command or
    // argument '--target'" and no option to use; a second list entry after a space with "Unrecognized command or argument
    // '64'", with no word of the comma.
    [Theory]
    [InlineData("'--target': did you mean '--label-column'?", "train", "--target", "y")]
    [InlineData("'--label': did you mean '--label-column'?", "eval", "--model", "m.safetensors", "--data", "d.csv", "--label", "y")]
    [InlineData("'--learning-rate': did you mean '--lr'?", "train", "--learning-rate", "0.01")]
    [InlineData("'--learning-rate': did you mean '--learning-rates'?", "cv", "--learning-rate", "0.01")]
    [InlineData("'--test-size': did you mean '--test-fraction'?", "train", "--test-size", "0.3")]
    [InlineData("'--output': did you mean '--save'?", "train", "--output", "m.safetensors")]
    [InlineData("'--test': did you mean '--test-fraction'?", "train", "--test", "0.3")]
    [InlineData("'64' follows the value of --layers: an option takes one value, and a list is one value, its entries separated by commas without spaces: --layers 64,64", "train", "--layers", "64", "64")]
    [InlineData("'0.1' follows the value of --lambdas: an option takes one value, and a list is one value, its entries separated by commas without spaces: --lambdas 0,0.1", "cv", "--lambdas", "0", "0.1")]
    [InlineData("'20' follows the value of --epochs: an option takes one value.", "train", "--epochs", "10", "20")]
    public void AnOptionNamedAsOtherToolsNameItOrAListGivenWithSpacesIsAnsweredWithTheWayToWriteIt(string message, params string[] args)
    {
        using var cli = new Cli();
        CliRun run = cli.Run(args);
        AssertUsageError(run, message);
    }

    [Theory]
    [InlineData("fastnn: give a command: train, eval, predict, cv, gradflow, gradcheck, bench or info. (see 'fastnn --help')")]
    [InlineData("fastnn: 'trian' is not a command; did you mean 'train'? The commands: train, eval, predict, cv, gradflow, gradcheck, bench or info. (see 'fastnn --help')", "trian")]
    [InlineData("fastnn: 'serve' is not a command. The commands: train, eval, predict, cv, gradflow, gradcheck, bench or info. (see 'fastnn --help')", "serve", "--port", "80")]
    [InlineData("fastnn: Unrecognized command or argument '--epoch'. Unrecognized command or argument '1'. '--epoch': did you mean '--epochs'? (see 'fastnn train --help')",
        "train", "--epoch", "1")]
    [InlineData("fastnn: Unrecognized command or argument '--ouptut'. Unrecognized command or argument 'p.csv'. '--ouptut': did you mean '--output'? (see 'fastnn predict --help')",
        "predict", "--model", "m.safetensors", "--data", "d.csv", "--ouptut", "p.csv")]
    // The root's own options: a mistyped one was called "not a command" and matched against the commands only.
    [InlineData("fastnn: '--verison' is not an option; did you mean '--version'? The commands: train, eval, predict, cv, gradflow, gradcheck, bench or info. (see 'fastnn --help')",
        "--verison")]
    // A command's option before any command was "not an option", as if no command took it.
    [InlineData("fastnn: '--data' is an option of train, eval, predict, cv and gradflow: give the command first, then its options. The commands: train, eval, predict, cv, gradflow, gradcheck, bench or info. (see 'fastnn --help')",
        "--data", "d.csv")]
    // A command's options before the command: "Unrecognized command or argument '--folds'. ... '--folds': did you mean
    // '--folds'?", as if the name were mistyped; now the options are named and the command line given in the right order.
    [InlineData("fastnn: '--folds' comes before the command cv: give the command first, then its options: fastnn cv --folds 3 (see 'fastnn cv --help')",
        "--folds", "3", "cv")]
    [InlineData("fastnn: '--epochs' and '--seed' come before the command train: give the command first, then its options: fastnn train --epochs 3 --seed 1 --layers 4 (see 'fastnn train --help')",
        "--epochs", "3", "--seed", "1", "train", "--layers", "4")]
    [InlineData("fastnn: '--data' comes before the command cv: give the command first, then its options: fastnn cv --data 'my data.csv' --folds 2 (see 'fastnn cv --help')",
        "--data", "my data.csv", "cv", "--folds=2")]
    [InlineData("fastnn: '--model' comes before the command train, and is not one of its options (it is one of eval and predict). (see 'fastnn train --help')",
        "--model", "m.safetensors", "train")]
    // An option's value that begins with a dash (a negative number, a column named -y) was taken for an option name:
    // "'-1' comes before the command train, and is not one of its options".
    [InlineData("fastnn: '--seed' comes before the command train: give the command first, then its options: fastnn train --seed -1 --epochs 1 (see 'fastnn train --help')",
        "--seed", "-1", "train", "--epochs", "1")]
    [InlineData("fastnn: '--label-column' and '--no-shuffle' come before the command train: give the command first, then its options: fastnn train --label-column -y --no-shuffle (see 'fastnn train --help')",
        "--label-column", "-y", "--no-shuffle", "train")]
    // A command without options of its own: the search for the option meant found no name, and threw (exit 134, a stack trace).
    [InlineData("fastnn: Unrecognized command or argument '--model'. Unrecognized command or argument 'm.safetensors'. (see 'fastnn info --help')",
        "info", "--model", "m.safetensors")]
    public void AMissingOrMistypedNameIsAnsweredWithTheNamesThereAre(string message, params string[] args)
    {
        // 'fastnn' alone said "Required command was not provided.", and 'fastnn trian' that too before the name it did not know.
        using var cli = new Cli();
        CliRun run = cli.Run(args);
        AssertUsageError(run);
        Assert.Equal(message, run.Error.TrimEnd());
    }

    [Theory]
    [InlineData("train", "--layers", "1000000000")]
    [InlineData("train", "--layers", "50000,50000")]
    [InlineData("cv", "--layers", "1000000000")]
    [InlineData("gradflow", "--width", "1000000000")]
    public void ANetworkTooLargeToBuildIsAUsageError(string command, string option, string value)
    {
        using var cli = new Cli();
        string[] plot = command == "cv" ? [] : ["--plot", cli.PathOf("p.png")];
        CliRun run = cli.Run([command, "--epochs", "1", option, value, .. plot]);
        AssertUsageError(run, "too large to build", "hidden layers");
        Assert.DoesNotContain("Exception", run.Error);
    }

    [Theory]
    [InlineData("--residual")]
    [InlineData("--batch-norm")]
    [InlineData("--layer-norm")]
    [InlineData("--dropout", "0.5")]
    [InlineData("--activation", "tanh")]
    public void AHiddenLayerOptionWithALinearModelIsRefused(string option, string? value = null)
    {
        using var cli = new Cli();
        AssertUsageError(Train(cli, value is null ? ["--layers", "", option] : ["--layers", "", option, value]), $"fastnn: {option}: ", "linear model");
    }

    // --init-weights loads every tensor of the network, so --init initialized weights that were all replaced: the run
    // was the same whatever --init said.
    [Fact]
    public void InitWithInitWeightsIsRefused()
    {
        using var cli = new Cli();
        string start = cli.PathOf("start.safetensors");
        Assert.Equal(0, Train(cli, "--data", Cli.Data("diabetes.csv"), "--layers", "4", "--save", start).ExitCode);
        AssertUsageError(Train(cli, "--data", Cli.Data("diabetes.csv"), "--layers", "4", "--init", "xavier", "--init-weights", start), "fastnn: --init: ", "--init-weights");
    }

    [Theory]
    [InlineData("--save", "no/such/folder/m.safetensors", "--save: the folder")]
    [InlineData("--plot", "no/such/folder/m.png", "--plot: the folder")]
    [InlineData("--plot", ".", "--plot: '.' is a folder")]
    [InlineData("--checkpoint", "no/such/folder/c.safetensors", "--checkpoint: the folder")]
    public void AFileThatCannotBeWrittenIsNamedBeforeTraining(string option, string path, string message)
    {
        using var cli = new Cli();
        CliRun run = cli.Run("train", "--epochs", "1", "--checkpoint-every", "1", option, path);
        AssertUsageError(run, message);
        Assert.DoesNotContain("epoch 1/1", run.Out);
    }

    // /proc takes no new file, even from root, for whom a read-only folder's permissions are no obstacle.
    [Theory]
    [InlineData("train", "--save")]
    [InlineData("train", "--plot")]
    [InlineData("train", "--checkpoint")]
    [InlineData("gradflow", "--plot")]
    public void AFolderThatTakesNoNewFileIsNamedBeforeTraining(string command, string option)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string[] args = command == "train" ? ["train", "--epochs", "1", "--checkpoint-every", "1"] : ["gradflow", "--epochs", "1", "--depth", "1"];
        CliRun run = cli.Run([.. args, option, "/proc/fastnn-test.out"]);
        AssertUsageError(run, $"fastnn: {option}: ", "'/proc'", "does not take new files");
        Assert.Equal("", run.Out);
    }

    // An existing file in such a folder is written, as /dev/stdout or /dev/null are (/proc/self/fd/N: /proc takes no new
    // file even from root). The check of the folder refused them before it looked whether the file was there.
    [Theory]
    [InlineData("predict", "--output", "prediction,p(0),p(1)")]
    [InlineData("train", "--plot", "\u0089PNG")]
    public void AnExistingFileInAFolderThatTakesNoNewFileIsWritten(string command, string option, string start)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string model = cli.PathOf("m.safetensors"), output = cli.PathOf("output");
        Assert.Equal(0, Train(cli, "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--save", model).ExitCode);
        using (var open = new FileStream(output, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            string descriptor = $"/proc/self/fd/{open.SafeFileHandle.DangerousGetHandle()}";
            CliRun run = command == "predict"
                ? cli.Run("predict", "--model", model, "--data", Cli.Data("breast_cancer.csv"), option, descriptor)
                : cli.Run("train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", "--save", model, option, descriptor);
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        Assert.StartsWith(start, File.ReadAllText(output, System.Text.Encoding.Latin1));
    }

    // A named pipe given as --output (mkfifo p; cat p > out & fastnn predict ... --output p) gets the predictions at the
    // reader's first open. The check opened the pipe for writing to see that it could be written, which waited for the
    // reader and, closed, ended its input empty; the predictions then waited for a reader that had gone.
    [Fact]
    public async Task ANamedPipeGivenAsOutputGetsThePredictionsAtItsFirstReading()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string model = cli.PathOf("m.safetensors"), pipe = cli.PathOf("pipe");
        Assert.Equal(0, Train(cli, "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--save", model).ExitCode);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
            mkfifo.WaitForExit();
        // Reads until something comes (twice at most, so that the check's empty opening does not leave predict waiting).
        Task<(string Text, int Readings)> reader = Task.Run(() =>
        {
            string text = "";
            int readings = 0;
            while (text.Length == 0 && readings < 2)
            {
                text = File.ReadAllText(pipe);
                readings++;
            }
            return (text, readings);
        });
        CliRun run = cli.Run("predict", "--model", model, "--data", Cli.Data("breast_cancer.csv"), "--output", pipe);
        Assert.True(run.ExitCode == 0, run.ToString());
        (string text, int readings) = await reader;
        Assert.StartsWith("prediction,p(0),p(1)", text);
        Assert.Equal(1, readings);
    }

    // --save and --checkpoint replace their file by renaming a new one over it, so its folder must take new files even
    // when the file is there: the check opened the existing file instead, passed, and the run trained only to fail at
    // its save (as non-root, likewise a read-only model file in a writable folder was refused though its save works).
    [Theory]
    [InlineData("--save")]
    [InlineData("--checkpoint")]
    public void AFileReplacedByRenameNeedsAFolderThatTakesNewFilesEvenWhenItIsThere(string option)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        using var open = new FileStream(cli.PathOf("output"), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
        string descriptor = $"/proc/self/fd/{open.SafeFileHandle.DangerousGetHandle()}";
        string[] files = option == "--save" ? ["--save", descriptor, "--checkpoint", cli.PathOf("c.safetensors")] : ["--save", cli.PathOf("m.safetensors"), option, descriptor];
        CliRun run = cli.Run(["train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", "--checkpoint-every", "1",
            "--plot", cli.PathOf("p.png"), .. files]);
        AssertUsageError(run, $"fastnn: {option}: ", "'/proc/self/fd'", "does not take new files");
        Assert.DoesNotContain("epoch 1/1", run.Out);
    }

    // --save /dev/null as root (in a container, say) replaced /dev/null with the model: a save renames a new file over
    // its path, and the check passed whatever was there once its folder took new files. A named pipe stands for the
    // device here (mkfifo needs no privilege); the run trained and renamed its model over it.
    [Theory]
    [InlineData("--save")]
    [InlineData("--checkpoint")]
    public void ADeviceOrPipeIsNotReplacedByASaveRenamedOverIt(string option)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string pipe = cli.PathOf("pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
            mkfifo.WaitForExit();
        string[] files = option == "--save" ? ["--save", pipe] : ["--save", cli.PathOf("m.safetensors"), option, pipe];
        CliRun run = cli.Run(["train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", "--checkpoint-every", "1",
            "--plot", cli.PathOf("p.png"), .. files]);
        AssertUsageError(run, $"fastnn: {option}: '{pipe}' is not a regular file");
        Assert.DoesNotContain("epoch 1/1", run.Out);
    }

    // --save /dev/stdout as root replaced the link /dev/stdout (to /proc/self/fd/1) with the model, for every process
    // after it: the check asked of the path's own entry only, a link, which it let a save rename over. A link of the
    // test's own to the process's standard output stands for /dev/stdout here, which a failing test must not replace.
    [Theory]
    [InlineData("--save")]
    [InlineData("--checkpoint")]
    public void ALinkToADescriptorIsNotReplacedByASaveRenamedOverIt(string option)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string link = cli.PathOf("stdout");
        File.CreateSymbolicLink(link, "/proc/self/fd/1");
        string[] files = option == "--save" ? ["--save", link] : ["--save", cli.PathOf("m.safetensors"), option, link];
        CliRun run = cli.Run(["train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", "--checkpoint-every", "1",
            "--plot", cli.PathOf("p.png"), .. files]);
        AssertUsageError(run, $"fastnn: {option}: '{link}' is not a regular file");
        Assert.Equal("/proc/self/fd/1", new FileInfo(link).LinkTarget);
    }

    // A save follows a symbolic link to the file it names (AtomicFile), but the checks asked of the link's own entry and
    // folder: a link to a named pipe (standing for /dev/null, which a save as root would replace) passed and the pipe was
    // replaced by the model; a link to a file in a folder that takes no new file (/sys, even for root) passed and the run failed only at the end.
    [Theory]
    [InlineData("--save", false)]
    [InlineData("--checkpoint", false)]
    [InlineData("--save", true)]
    [InlineData("--checkpoint", true)]
    public void ALinkIsCheckedAsTheFileItNamesBeforeTraining(string option, bool toFolderTakingNoFile)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string pipe = cli.PathOf("pipe"), link = cli.PathOf("link"), chained = cli.PathOf("chained");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
            mkfifo.WaitForExit();
        File.CreateSymbolicLink(chained, toFolderTakingNoFile ? "/sys/fastnn-test.out" : "pipe"); // relative: the link's folder
        File.CreateSymbolicLink(link, "chained");
        string[] files = option == "--save" ? ["--save", link] : ["--save", cli.PathOf("m.safetensors"), option, link];
        CliRun run = cli.Run(["train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", "--checkpoint-every", "1",
            "--plot", cli.PathOf("p.png"), .. files]);
        if (toFolderTakingNoFile)
            AssertUsageError(run, $"fastnn: {option}: ", "'/sys'", "does not take new files");
        else
            AssertUsageError(run, $"fastnn: {option}: '{link}' is not a regular file");
        Assert.DoesNotContain("epoch 1/1", run.Out);
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(chained) & FileAttributes.ReparsePoint);
    }

    // A symbolic link to a file not made yet is written as before the output checks opened an existing file (they took
    // it for one and refused it: "Could not find file"): the save replaces the link, the plot creates the file it names.
    [Theory]
    [InlineData("--save", "m.safetensors")]
    [InlineData("--plot", "m.png")]
    public void ALinkToAFileNotMadeYetIsWritten(string option, string name)
    {
        if (OperatingSystem.IsWindows())
            return; // symbolic links need a privilege there
        using var cli = new Cli();
        string link = cli.PathOf("link"), target = cli.PathOf(name);
        File.CreateSymbolicLink(link, target);
        string[] files = option == "--save" ? ["--save", link, "--plot", cli.PathOf("p.png")] : ["--save", cli.PathOf("other.safetensors"), "--plot", link];
        CliRun run = cli.Run(["train", "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--epochs", "1", .. files]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(option == "--save" ? link : target), run.ToString());
    }

    [Theory]
    [InlineData("--plot", "model.safetensors", "--plot: '", "model.safetensors' is also the --save file")]
    [InlineData("--checkpoint", "model.safetensors", "--checkpoint: '", "model.safetensors' is also the --save file")]
    [InlineData("--checkpoint", "model.png", "--checkpoint: '", "model.png' is also the --plot file")]
    [InlineData("--save", "data.csv", "--save: '", "data.csv' is the --data file")]
    [InlineData("--plot", "data.csv", "--plot: '", "data.csv' is the --data file")]
    public void TwoFilesOfARunThatAreOneFileAreRejectedBeforeTraining(string option, string file, string named, string problem)
    {
        using var cli = new Cli();
        string text = "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n", data = cli.Write("data.csv", text);
        string[] files = ["--save", "model.safetensors", "--plot", "model.png", "--checkpoint", "model.ckpt"];
        files[Array.IndexOf(files, option) + 1] = file;
        for (int i = 1; i < files.Length; i += 2)
            files[i] = cli.PathOf(files[i]);
        CliRun run = cli.Run(["train", "--data", data, "--layers", "", "--epochs", "1", "--checkpoint-every", "1", .. files]);
        AssertUsageError(run, named, problem);
        Assert.DoesNotContain("epoch 1/1", run.Out);
        Assert.Equal(text, File.ReadAllText(data));
    }

    // A save follows a symbolic link (AtomicFile), so --save through a link to the data file replaced the data, and a
    // link to the --save file given to --checkpoint had one overwrite the other: the paths were compared as written.
    [Theory]
    [InlineData("--save", "data.csv", "' is the --data file")]
    [InlineData("--checkpoint", "model.safetensors", "' is also the --save file")]
    public void AnOutputThatIsAnotherFileThroughALinkIsRejectedBeforeTraining(string option, string linked, string problem)
    {
        if (OperatingSystem.IsWindows())
            return; // symbolic links need a privilege there
        using var cli = new Cli();
        string text = "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n", data = cli.Write("data.csv", text);
        string link = cli.PathOf("link");
        File.CreateSymbolicLink(link, linked);
        string[] files = option == "--save" ? ["--save", link] : ["--save", cli.PathOf("model.safetensors"), "--checkpoint", link];
        CliRun run = cli.Run(["train", "--data", data, "--layers", "", "--epochs", "1", "--checkpoint-every", "1", "--plot", cli.PathOf("p.png"), .. files]);
        AssertUsageError(run, $"{option}: '{link}{problem}");
        Assert.DoesNotContain("epoch 1/1", run.Out);
        Assert.Equal(text, File.ReadAllText(data));
    }

    // The paths were compared after following a link at their end only: through a link to the data's folder, --save
    // replaced the data with the model and --plot wrote a PNG over it (predict's --output likewise). A relative link
    // whose ".." leaves a linked folder goes where the system takes it, not where the path's text would.
    [Theory]
    [InlineData("--save", "folder/data.csv")]
    [InlineData("--plot", "folder/data.csv")]
    [InlineData("--save", "link/data.csv")] // link → folder/data.csv
    [InlineData("--plot", "deep/dots")] // deep → real/inner, dots → ../data.csv, which is real/data.csv
    public void AnOutputThatIsTheDataThroughALinkedFolderIsRejectedBeforeTraining(string option, string output)
    {
        if (OperatingSystem.IsWindows())
            return; // symbolic links need a privilege there
        using var cli = new Cli();
        string text = "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n";
        Directory.CreateDirectory(cli.PathOf("real/inner"));
        string data = cli.Write("real/data.csv", text);
        Directory.CreateSymbolicLink(cli.PathOf("folder"), "real");
        Directory.CreateSymbolicLink(cli.PathOf("deep"), "real/inner");
        File.CreateSymbolicLink(cli.PathOf("link"), "folder");
        File.CreateSymbolicLink(cli.PathOf("real/inner/dots"), "../data.csv");
        string[] files = option == "--save" ? ["--save", cli.PathOf(output), "--plot", cli.PathOf("p.png")] : ["--plot", cli.PathOf(output)];
        CliRun run = cli.Run(["train", "--data", data, "--layers", "", "--epochs", "1", .. files]);
        AssertUsageError(run, $"{option}: '{cli.PathOf(output)}' is the --data file");
        Assert.DoesNotContain("epoch 1/1", run.Out);
        Assert.Equal(text, File.ReadAllText(data));
    }

    // The check of a file a save renames over read a link's ".." as text from the link's path: through deep → real/inner,
    // the link dots → ../sub/m.safetensors was checked as sub/m.safetensors beside deep, whose missing folder refused a
    // run that saves to real/sub/m.safetensors, the file the system (and the save) finds; so was the link out →
    // deep/../sub/m.safetensors, whose target's ".." the system reads after following deep.
    [Theory]
    [InlineData("deep/dots")]
    [InlineData("out")]
    public void ASaveThroughALinkedFolderIsCheckedWhereTheSaveWrites(string save)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        Directory.CreateDirectory(cli.PathOf("real/inner"));
        Directory.CreateDirectory(cli.PathOf("real/sub"));
        Directory.CreateSymbolicLink(cli.PathOf("deep"), "real/inner");
        File.CreateSymbolicLink(cli.PathOf("real/inner/dots"), "../sub/m.safetensors");
        File.CreateSymbolicLink(cli.PathOf("out"), "deep/../sub/m.safetensors");
        CliRun run = Train(cli, "--data", Cli.Data("breast_cancer.csv"), "--layers", "4", "--save", cli.PathOf(save));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(cli.PathOf("real/sub/m.safetensors")));
        Assert.False(Directory.Exists(cli.PathOf("sub")));
    }

    // The check and the save must resolve a path alike (review-s28b): a ".." in the path itself is read as text, as .NET
    // reads it before the system sees the path, so deep/../data.csv is ./data.csv, the data, refused; a ".." in a link's
    // target is followed as the system follows it, so deep/up (up → ../data.csv inside real/inner) is real/data.csv,
    // where the model is then saved, the data untouched.
    [Fact]
    public void ASaveIsCheckedWhereTheLibrarySavesIt()
    {
        if (OperatingSystem.IsWindows())
            return; // symbolic links need a privilege there
        using var cli = new Cli();
        string text = "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n";
        Directory.CreateDirectory(cli.PathOf("real/inner"));
        string data = cli.Write("data.csv", text);
        Directory.CreateSymbolicLink(cli.PathOf("deep"), "real/inner");
        File.CreateSymbolicLink(cli.PathOf("real/inner/up"), "../data.csv");
        string[] train = ["train", "--data", data, "--layers", "", "--epochs", "1", "--plot", cli.PathOf("p.png"), "--save"];

        CliRun refused = cli.Run([.. train, cli.PathOf("deep/../data.csv")]);
        AssertUsageError(refused, $"--save: '{cli.PathOf("deep/../data.csv")}' is the --data file");

        CliRun saved = cli.Run([.. train, cli.PathOf("deep/up")]);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.Equal(text, File.ReadAllText(data));
        Assert.True(File.Exists(cli.PathOf("real/data.csv")));
    }

    // gradcheck took --seed -1 (as Random's seed, and as 2^64 − 1 for the checker's), which train, cv and gradflow refuse.
    [Fact]
    public void GradcheckRefusesANegativeSeedAsTrainDoes()
    {
        using var cli = new Cli();
        AssertUsageError(cli.Run(["gradcheck", "--seed", "-1"]), "--seed must be at least 0; got -1.");
        AssertUsageError(Train(cli, "--seed", "-1"), "--seed must be at least 0; got -1.");
    }

    // A rate below float's smallest subnormal rounded to 0 and trained nothing, run to its end and saved, where --lr 0 is
    // refused; in double the same rate is a rate.
    [Theory]
    [InlineData("train", "--lr")]
    [InlineData("cv", "--learning-rates")]
    [InlineData("gradflow", "--lr")]
    public void ALearningRateThatRoundsToZeroInFloatIsRefused(string command, string option)
    {
        using var cli = new Cli();
        string[] plot = command == "cv" ? [] : ["--plot", cli.PathOf("p.png")];
        CliRun run = cli.Run([command, "--epochs", "1", option, "1e-46", .. plot]);
        AssertUsageError(run, "the learning rate 1E-46 rounds to 0 in float, the element type of the model it trains, and would train nothing.");
        if (command == "train")
        {
            CliRun inDouble = cli.Run(["train", "--epochs", "1", "--double", "--lr", "1e-46", .. plot]);
            Assert.True(inDouble.ExitCode == 0, inDouble.ToString());
        }
    }

    // A rate past float's range was refused in the library's words ("learningRate = 1E+300 is not finite in float.
    // (Parameter 'learningRate') Actual value was 1E+300."), naming no option and no way out; so was a weight decay
    // under AdamW, train's and cv's default, whose decay the library checks only at the first step ("1 −
    // learningRate·weightDecay = -1E+297 is not finite in float ..."), and a penalty's λ ("lambda = 1E+300 is not
    // finite in float. (Parameter 'lambda') ...").
    [Theory]
    [InlineData("train", "--lr", "learning rate")]
    [InlineData("cv", "--learning-rates", "learning rate")]
    [InlineData("gradflow", "--lr", "learning rate")]
    [InlineData("train", "--weight-decay", "weight decay")]
    [InlineData("cv", "--weight-decay", "weight decay")]
    [InlineData("gradflow", "--weight-decay", "weight decay")]
    [InlineData("train", "--l1", "L1 penalty's λ")]
    [InlineData("train", "--l2", "L2 penalty's λ")]
    [InlineData("cv", "--lambdas", "L2 penalty's λ")]
    [InlineData("gradflow", "--l2", "L2 penalty's λ")]
    public void ASettingPastFloatIsRefusedInTheCommandsWords(string command, string option, string name)
    {
        using var cli = new Cli();
        CliRun run = cli.Run(command, option, "1e300", "--epochs", "1");
        AssertUsageError(run, $"the {name} 1E+300 is not finite in float, the element type of the model it trains.");
        Assert.DoesNotContain("Parameter", run.Error);
    }

    // The other values past float's range that only the library checked were refused in its words, naming no option:
    // "momentum = 1E+39 is not finite in float. (Parameter 'momentum') Actual value was 1E+39.", "lambda = ...", Adam's
    // "the step size learningRate / (1 − beta1^t) = 1.0000000000000002E+39 is not finite in float (learningRate = 1E+38).
    // (Parameter 'learningRate') ...", and a schedule's "schedule = 1E+297 ..." after a whole epoch had trained.
    [Theory]
    [InlineData("train", "the momentum 1E+39 is not finite in float, the element type of the model it trains.", "--optimizer", "sgd", "--momentum", "1e39")]
    [InlineData("gradflow", "the momentum 1E+39 is not finite in float, the element type of the model it trains.", "--momentum", "1e39")]
    [InlineData("train", "the L1 penalty's λ 1E+39 is not finite in float, the element type of the model it trains.", "--l1", "1e39")]
    [InlineData("train", "the L2 penalty's λ 1E+39 is not finite in float, the element type of the model it trains.", "--l2", "1e39")]
    [InlineData("cv", "the L1 penalty's λ 1E+39 is not finite in float, the element type of the model it trains.", "--lambdas", "1e39", "--lambda-kind", "l1")]
    [InlineData("gradflow", "the L2 penalty's λ 1E+39 is not finite in float, the element type of the model it trains.", "--l2", "1e39")]
    [InlineData("train", "the learning rate 1E+38 is too large for adam in float, the element type of the model it trains: adam's first step size, the rate / (1 − β1), is not finite there.", "--optimizer", "adam", "--lr", "1e38")]
    [InlineData("cv", "the learning rate 1E+38 is too large for adamw in float, the element type of the model it trains: adamw's first step size, the rate / (1 − β1), is not finite there.", "--learning-rates", "1e38")]
    [InlineData("train", "--schedule exponential:1E+300: the learning rate it gives in epoch 2, 1E+297, is not finite in float, the element type of the model it trains.", "--schedule", "exponential:1e300", "--epochs", "2")]
    [InlineData("gradflow", "--schedule step:1:1E+300: the learning rate it gives in epoch 2, ", "--schedule", "step:1:1e300", "--epochs", "2")]
    public void AValuePastFloatIsRefusedInTheCommandsWordsBeforeTraining(string command, string message, params string[] options)
    {
        using var cli = new Cli();
        string[] epochs = options.Contains("--epochs") ? [] : ["--epochs", "1"];
        string[] folds = command == "cv" ? ["--folds", "2"] : [];
        CliRun run = cli.Run([command, .. options, .. epochs, .. folds]);
        AssertUsageError(run, message);
        Assert.DoesNotContain("Parameter", run.Error);
        Assert.DoesNotContain("epoch 1/", run.Out); // refused before the first epoch, not after it
    }

    // cv checked a grid value only when the search reached its setting: after every fold of the settings before it had
    // trained (here the first's two folds), it was refused with no table of what had run.
    [Theory]
    [InlineData("the L2 penalty's λ 1E+39 is not finite in float", "--lambdas", "0,1e39")]
    [InlineData("the learning rate 1E+39 is not finite in float", "--learning-rates", "1e-3,1e39")]
    [InlineData("the learning rate 1E+38 is too large for adamw in float", "--learning-rates", "1e-3,1e38")]
    [InlineData("--schedule exponential:10: the learning rate it gives in epoch 3, ", "--learning-rates", "1e-3,1e37", "--schedule", "exponential:10", "--epochs", "3")]
    public void ACvGridValuePastFloatIsRefusedBeforeAnyFoldTrains(string message, params string[] options)
    {
        using var cli = new Cli();
        string[] epochs = options.Contains("--epochs") ? [] : ["--epochs", "1"];
        CliRun run = cli.Run(["cv", .. options, .. epochs, "--folds", "2"]);
        AssertUsageError(run, message);
        Assert.DoesNotContain(": fold 1/2", run.Out);
    }

    // AdamW shrinks the weights by 1 − γ·λ, which the library checks only at each step: a rate and a decay each finite in
    // the element type but with a product that is not were refused at the first step in its words ("1 −
    // learningRate·weightDecay = -1E+39 is not finite in float (weightDecay = 1E+20). (Parameter 'weightDecay') ..."),
    // or, for a schedule's later rate, after the epochs before it had trained.
    [Theory]
    [InlineData("the learning rate 1E+19 times the weight decay 1E+20, 1E+39, is not finite in float", "--lr", "1e19", "--weight-decay", "1e20")]
    [InlineData("the learning rate 1E+200 times the weight decay 1E+200, Infinity, is not finite in double", "--double", "--lr", "1e200", "--weight-decay", "1e200")]
    [InlineData("--schedule exponential:1E+39: the learning rate it gives in epoch 2, ", "--weight-decay", "500", "--schedule", "exponential:1e39", "--epochs", "2")]
    public void AnAdamWDecayFactorPastTheElementTypeIsRefusedInTheCommandsWords(string message, params string[] options)
    {
        using var cli = new Cli();
        string[] epochs = options.Contains("--epochs") ? [] : ["--epochs", "1"];
        CliRun run = cli.Run(["train", "--optimizer", "adamw", .. options, .. epochs]);
        AssertUsageError(run, message, "adamw shrinks the weights by 1 − rate·decay at every step");
        Assert.DoesNotContain("Parameter", run.Error);
        Assert.DoesNotContain("epoch 1/", run.Out); // refused before the first epoch, not in the epoch that reaches it
    }

    // A double run's schedule is held to double's range by the same rule (10^-3 · (10^200)^2 is infinite there).
    [Fact]
    public void AScheduledRatePastDoubleIsRefusedBeforeTraining()
    {
        using var cli = new Cli();
        CliRun run = Train(cli, "--double", "--schedule", "exponential:1e200", "--epochs", "3");
        AssertUsageError(run, "--schedule exponential:1E+200: the learning rate it gives in epoch 3, Infinity, is not finite in double, the element type of the model it trains.");
        Assert.DoesNotContain("epoch 1/", run.Out);
    }

    [Fact]
    public void PredictsOutputThatIsTheDataThroughALinkedFolderIsRejected()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var cli = new Cli();
        string model = cli.DiabetesModel();
        Directory.CreateDirectory(cli.PathOf("real"));
        File.Copy(Cli.Data("diabetes.csv"), cli.PathOf("real/data.csv"));
        Directory.CreateSymbolicLink(cli.PathOf("folder"), "real");
        CliRun run = cli.Run("predict", "--model", model, "--data", cli.PathOf("real/data.csv"), "--output", cli.PathOf("folder/data.csv"));
        AssertUsageError(run, $"--output: '{cli.PathOf("folder/data.csv")}' is the --data file");
        Assert.Equal(File.ReadAllText(Cli.Data("diabetes.csv")), File.ReadAllText(cli.PathOf("real/data.csv")));
    }

    // The plot is a PNG image whatever its name: --plot out.svg wrote PNG bytes under an SVG's name, exit 0.
    [Theory]
    [InlineData("train", "out.svg", "an SVG")]
    [InlineData("gradflow", "flow.PDF", "a PDF")]
    [InlineData("train", "run.jpg", "a JPEG")]
    public void APlotNamedAsAnotherImageFormatIsRefusedBeforeTraining(string command, string name, string format)
    {
        using var cli = new Cli();
        string plot = cli.PathOf(name);
        CliRun run = command == "train"
            ? cli.Run("train", "--data", Cli.Data("diabetes.csv"), "--layers", "4", "--epochs", "1", "--plot", plot)
            : cli.Run("gradflow", "--depth", "2", "--epochs", "1", "--plot", plot);
        AssertUsageError(run, $"--plot: the plot is a PNG image, and '{plot}' names {format} file; give a name ending in .png.");
        Assert.False(File.Exists(plot));
    }

    [Fact]
    public void ACheckpointFileWithoutCheckpointEveryIsRefused()
    {
        using var cli = new Cli();
        CliRun run = Train(cli, "--layers", "4", "--checkpoint", cli.PathOf("run.ckpt"));
        AssertUsageError(run, "--checkpoint: ", "--checkpoint-every");
        Assert.DoesNotContain("epoch 1/1", run.Out);
    }

    [Fact]
    public void AResumedRunMayWriteItsCheckpointOverTheOneItResumes()
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.ckpt");
        string[] run = ["--layers", "4", "--checkpoint-every", "1", "--checkpoint", checkpoint];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "1"]).ExitCode);
        CliRun resumed = Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        AssertUsageError(Train(cli, [.. run, "--epochs", "3", "--resume", checkpoint, "--save", checkpoint]), "--checkpoint: ", "run.ckpt' is also the --save file");
        AssertUsageError(Train(cli, ["--layers", "4", "--epochs", "3", "--resume", checkpoint, "--save", checkpoint]), "--save: ", "is the --resume file");
    }

    [Theory]
    [InlineData("train", "--save")]
    [InlineData("train", "--plot")]
    [InlineData("train", "--checkpoint")]
    [InlineData("gradflow", "--plot")]
    [InlineData("predict", "--output")]
    public void AnEmptyOutputFileNameNamesTheOption(string command, string option)
    {
        using var cli = new Cli();
        string[] args = command switch
        {
            "train" => ["train", "--epochs", "1", "--checkpoint-every", "1"],
            "gradflow" => ["gradflow", "--epochs", "1", "--depth", "1"],
            _ => ["predict", "--model", cli.PathOf("none.safetensors"), "--data", Cli.Data("diabetes.csv")],
        };
        CliRun run = cli.Run([.. args, option, ""]);
        AssertUsageError(run, $"fastnn: {option}: ", "empty");
        Assert.DoesNotContain("Parameter", run.Error);
    }

    [Fact]
    public void GradflowRefusesARegressionTarget()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--data", Cli.Data("diabetes.csv"), "--epochs", "1", "--depth", "1", "--plot", cli.PathOf("flow.png"));
        AssertUsageError(run, "--data: ", "diabetes.csv", "'target'", "classes");
        Assert.False(File.Exists(cli.PathOf("flow.png")));
    }

    // The library's split message came through: "Splitting 2 rows with validation fraction 0.2 leaves 2 training and 0
    // validation rows; ... (Parameter 'validationFraction')", of a fraction gradflow has no option for.
    [Fact]
    public void GradflowOnTooFewRowsToHoldOutAPartNamesTheData()
    {
        using var cli = new Cli();
        CliRun run = cli.Run("gradflow", "--data", cli.Write("two.csv", "a,y\n1,0\n2,1\n"), "--epochs", "1", "--depth", "1", "--plot", cli.PathOf("flow.png"));
        AssertUsageError(run, "--data: two.csv's 2 rows are too few", "a fifth");
        Assert.DoesNotContain("Parameter", run.Error);
    }

    [Fact]
    public void GradflowDoesNotWriteItsPlotOverItsData()
    {
        using var cli = new Cli();
        string text = File.ReadAllText(Cli.Data("breast_cancer.csv")), data = cli.Write("rows.csv", text);
        CliRun run = cli.Run("gradflow", "--data", data, "--epochs", "1", "--depth", "1", "--plot", data);
        AssertUsageError(run, "--plot: '", "rows.csv' is the --data file");
        Assert.Equal(text, File.ReadAllText(data));
    }

    [Fact]
    public void PredictionsAreNotWrittenOverTheModelOrTheData()
    {
        using var cli = new Cli();
        string model = cli.PathOf("m.safetensors"), text = File.ReadAllText(Cli.Data("breast_cancer.csv")), data = cli.Write("rows.csv", text);
        Assert.Equal(0, Train(cli, "--data", data, "--layers", "4", "--save", model).ExitCode);
        byte[] saved = File.ReadAllBytes(model);
        AssertUsageError(cli.Run("predict", "--model", model, "--data", data, "--output", data), "--output: '", "rows.csv' is the --data file");
        AssertUsageError(cli.Run("predict", "--model", model, "--data", data, "--output", model), "--output: '", "m.safetensors' is the --model file");
        Assert.Equal(text, File.ReadAllText(data));
        Assert.Equal(saved, File.ReadAllBytes(model));
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    public void AModelFileThatIsNotOneIsNamed(string command)
    {
        using var cli = new Cli();
        string model = cli.PathOf("good.safetensors"), checkpoint = cli.PathOf("good.ckpt");
        Assert.Equal(0, Train(cli, "--layers", "4", "--save", model, "--checkpoint-every", "1", "--checkpoint", checkpoint).ExitCode);
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(cli.PathOf("cut.safetensors"), bytes[..(bytes.Length / 2)]);
        foreach (string file in new[] { cli.Write("empty.safetensors", ""), cli.PathOf("cut.safetensors") })
            AssertUsageError(cli.Run(command, "--model", file, "--data", Cli.Data("breast_cancer.csv")), Path.GetFileName(file) + ": ");
        foreach (string file in new[] { cli.Write("text.safetensors", "this is not a model"), Cli.Data("breast_cancer.csv") })
            AssertUsageError(cli.Run(command, "--model", file, "--data", Cli.Data("breast_cancer.csv")), $"--model: {file} is text, not a model file", "--data");
        AssertUsageError(cli.Run(command, "--model", checkpoint, "--data", Cli.Data("breast_cancer.csv")), "--model: " + checkpoint + " is a FastNN checkpoint");
        AssertUsageError(cli.Run(command, "--model", cli.PathOf("none.safetensors"), "--data", Cli.Data("breast_cancer.csv")), "--model: there is no file");
    }

    // Weights without FastNN's metadata, as PyTorch's safetensors save_file writes a state dict: eval and predict told the
    // user to "build the model yourself, read the weights with ModelFile.LoadWeights", calls a command line cannot make.
    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    public void AWeightsFileWithoutTheArchitectureSaysWhatTheCommandCanDoWithIt(string command)
    {
        using var cli = new Cli();
        byte[] file = File.ReadAllBytes(cli.DiabetesModel());
        int headerLength = checked((int)BitConverter.ToInt64(file, 0));
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(file, 8, headerLength))!.AsObject();
        Assert.True(header.Remove("__metadata__"));
        byte[] text = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString().PadRight(headerLength));
        string weights = cli.PathOf("state_dict.safetensors");
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((long)text.Length), .. text, .. file.AsSpan(8 + headerLength)]);
        CliRun run = cli.Run(command, "--model", weights, "--data", Cli.Data("diabetes.csv"));
        AssertUsageError(run, $"--model: {weights} holds weights without the architecture", "fastnn train", "--init-weights");
        Assert.DoesNotContain("ModelFile.LoadWeights", run.Error);
    }

    [Fact]
    public void AResumeWithOtherOptionsNamesEachOneThatDiffers()
    {
        using var cli = new Cli();
        string checkpoint = cli.PathOf("run.ckpt");
        string[] run = ["--checkpoint-every", "2", "--checkpoint", checkpoint], eight = [.. run, "--layers", "8"];
        Assert.Equal(0, Train(cli, [.. eight, "--epochs", "2"]).ExitCode);

        AssertUsageError(Train(cli, [.. run, "--epochs", "3", "--resume", checkpoint, "--layers", "4"]), "--resume: ", "run.ckpt was saved by a run with other options", "--layers 8 there, 4 here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--lr", "0.01", "--batch-size", "64", "--double"]),
            "--lr 0.001 there, 0.01 here; --batch-size 32 there, 64 here; --double off there, on here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--optimizer", "sgd", "--weight-decay", "0.01"]), "--optimizer adamw there, sgd here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--seed", "1", "--l2", "1e-3", "--schedule", "cosine"]),
            "--l2 0 there, 0.001 here; --schedule constant there, cosine here; --seed 0 there, 1 here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--clip-value", "0.5"]), "--clip-value none there, 0.5 here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--data", Cli.Data("breast_cancer.csv")]), "--data digits.csv.gz (embedded) there, breast_cancer.csv here");
        AssertUsageError(Train(cli, [.. eight, "--epochs", "1", "--resume", checkpoint]), "--epochs 1: ", "run.ckpt has completed 2 epochs already");
        // The same options go on (the threads and the initialization do not change a resumed run).
        CliRun same = Train(cli, [.. eight, "--epochs", "3", "--resume", checkpoint, "--threads", "1", "--init", "xavier"]);
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("resumed: ", same.Out);
    }

    [Fact]
    public void AResumeOnChangedDataIsRejected()
    {
        using var cli = new Cli();
        var text = new System.Text.StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{i % 2}\n");
        string data = cli.Write("small.csv", text.ToString()), checkpoint = cli.PathOf("small.ckpt");
        string[] run = ["--data", data, "--layers", "", "--checkpoint-every", "1", "--checkpoint", checkpoint];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "1"]).ExitCode);
        cli.Write("small.csv", text.ToString().Replace("\n6,", "\n60,"));
        AssertUsageError(Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]), "--resume: ", "small.ckpt was trained on other rows than this run's (its standardization statistics differ)");
    }

    [Theory]
    [InlineData(false)] // the labels changed: the same features, so the same standardization statistics
    [InlineData(true)] // --no-standardize: no statistics at all, one feature changed
    public void AResumeOnChangedRowsWithTheSameStatisticsIsRejected(bool features)
    {
        // Before, only the columns, classes and standardization statistics were compared: both runs resumed on the changed
        // rows, and ended as neither the original run nor a fresh one on the new rows.
        using var cli = new Cli();
        var text = new System.Text.StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{(i % 3 == 0 ? 1 : 0)}\n");
        string original = text.ToString();
        string changed = features ? original.Replace("\n6,4,", "\n60,4,") : original.Replace(",1\n", ",2\n").Replace(",0\n", ",1\n").Replace(",2\n", ",0\n");
        Assert.NotEqual(original, changed);
        string data = cli.Write("small.csv", original), checkpoint = cli.PathOf("small.ckpt");
        string[] run = ["--data", data, "--layers", "4", "--batch-size", "8", "--test-fraction", "0", "--checkpoint-every", "1", "--checkpoint", checkpoint,
            .. features ? ["--no-standardize"] : Array.Empty<string>()];
        Assert.Equal(0, Train(cli, [.. run, "--epochs", "1"]).ExitCode);
        cli.Write("small.csv", changed);
        AssertUsageError(Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]), "--resume: ", "small.ckpt was trained on other rows than this run's (its rows differ)");
        // The same rows go on.
        cli.Write("small.csv", original);
        CliRun same = Train(cli, [.. run, "--epochs", "2", "--resume", checkpoint]);
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void ACheckpointOfAnotherArchitectureIsNamedEvenWithoutRecordedOptions()
    {
        using var cli = new Cli();
        // A checkpoint a library user saved, with no record of the options: a 64-4-10 network, where the run builds 64-8-10.
        Sequential<float> model = new SequentialBuilder<float>(64).Dense(4).Relu().Dense(10).Build(maxBatch: 256);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(),
            new AdamW<float>(model.Parameters.Length, groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors)), TaskKind.MultiClassClassification);
        string checkpoint = cli.PathOf("library.ckpt");
        Checkpoint.Save(checkpoint, trainer);
        AssertUsageError(Train(cli, "--layers", "8", "--epochs", "2", "--resume", checkpoint),
            "library.ckpt: the checkpoint's model differs from the trainer's: layer 0 is", "\"out_features\":4", "\"out_features\":8");
    }

    [Fact]
    public void CvOnARegressionTargetRefusesFoldsOfOneRow()
    {
        // R² of one held-out row is undefined (no variance): every fold scored NaN, and the "best" setting was the first.
        using var cli = new Cli();
        string data = cli.Write("six.csv", "a,y\n1,1.5\n2,2.5\n3,2.0\n4,4.5\n5,4.0\n6,6.5\n");
        AssertUsageError(cli.Run("cv", "--data", data, "--layers", "", "--epochs", "1", "--folds", "4"),
            "--folds 4: ", "6 rows", "a fold of 1 row", "R²", "at most 3 folds");
        CliRun three = cli.Run("cv", "--data", data, "--layers", "", "--epochs", "1", "--folds", "3");
        Assert.True(three.ExitCode == 0, three.ToString());
        Assert.DoesNotContain("NaN", three.Out);
    }

    [Fact]
    public void CvOnARegressionTargetOfFewerThanFourRowsSaysSo()
    {
        // 3 rows: any 2 folds leave a fold of 1 row; the refusal advised "give at most 1 folds", which --folds refuses too.
        using var cli = new Cli();
        string data = cli.Write("three.csv", "a,y\n1,1.5\n2,2.5\n3,2.0\n");
        CliRun run = cli.Run("cv", "--data", data, "--layers", "", "--epochs", "1", "--folds", "2");
        AssertUsageError(run, "--folds 2: ", "3 rows", "R²", "at least 4 rows");
        Assert.DoesNotContain("at most 1 folds", run.Error);
    }

    [Fact]
    public void AModelFileGivenToResumeIsToldApartFromACheckpoint()
    {
        using var cli = new Cli();
        string model = cli.PathOf("run.safetensors");
        Assert.Equal(0, Train(cli, "--layers", "4", "--save", model).ExitCode);
        CliRun run = Train(cli, "--layers", "4", "--epochs", "2", "--resume", model);
        AssertUsageError(run, "--resume: ", "run.safetensors is a model file, not a checkpoint", "--checkpoint-every", "--init-weights");
        Assert.DoesNotContain("ModelFile.Load", run.Error);
        // Given with other options (the default --layers here), it was refused as "saved by a run with other options
        // (--layers 4 there, 256,128 here)": those options given, it was then refused as a model file.
        AssertUsageError(Train(cli, "--epochs", "2", "--resume", model), "--resume: ", "run.safetensors is a model file, not a checkpoint");
    }

    [Theory]
    [InlineData("46341")]
    [InlineData("8193")]
    public void ABenchSizeBeyondTheLimitIsRefused(string size)
    {
        using var cli = new Cli();
        AssertUsageError(cli.Run("bench", "--size", size, "--time", "0.01", "--threads", "1"), $"--size must be at most 8192; got {size}");
    }

    [Fact]
    public void AnUnknownCommandIsAUsageError()
    {
        using var cli = new Cli();
        AssertUsageError(cli.Run("fit"), "fit");
    }
}
