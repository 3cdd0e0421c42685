using System.Globalization;
using FastNN.Data;
using FastNN.IO;

namespace FastNN.Cli.Tests;

/// <summary>
/// predict's standard output carries the predictions CSV and nothing else; its status line goes to standard error, so
/// that --output /dev/stdout (or the CSV on stdout) is a clean stream. The line used to go to stdout: into the CSV, and
/// with stdout redirected to a file, over the start of the CSV that /dev/stdout had written there.
/// </summary>
public class PredictOutputTests
{
    [Fact]
    public void TheStatusLineOfAPredictionsFileGoesToStandardError()
    {
        using var cli = new Cli();
        string model = cli.DiabetesModel();
        CliRun run = cli.Run("predict", "--model", model, "--data", Cli.Data("diabetes.csv"), "--output", cli.PathOf("p.csv"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Out);
        Assert.Equal($"predictions: {cli.PathOf("p.csv")}", Assert.Single(run.ErrorLines));

        // Standard output named as a file is written through the console's own stream.
        CliRun stdout = cli.Run("predict", "--model", model, "--data", Cli.Data("diabetes.csv"), "--output", "/dev/stdout");
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Equal(File.ReadAllText(cli.PathOf("p.csv")), stdout.Out);
        Assert.Equal("predictions: /dev/stdout", Assert.Single(stdout.ErrorLines));
    }

    // '>' used to give the CSV with the status line over its start; '>>' also lost what the file held: /dev/stdout
    // opened anew as a file is truncated, whatever the shell's append.
    [Theory]
    [InlineData(">")]
    [InlineData(">>")]
    public void OutputToDevStdoutRedirectedToAFileIsExactlyTheCsv(string redirect)
    {
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        CliRun inProcess = cli.Run("predict", "--model", model, "--data", data);
        Assert.True(inProcess.ExitCode == 0, inProcess.ToString());
        Assert.StartsWith("target\n", inProcess.Out);

        // As a shell runs 'fastnn predict ... --output /dev/stdout > out.csv' (or >> out.csv).
        string file = cli.Write("out.csv", "kept\n");
        (int exit, _, string error) = Cli.Shell($"exec \"$@\" {redirect} \"{file}\"", "predict", "--model", model, "--data", data, "--output", "/dev/stdout");
        Assert.True(exit == 0, error);
        Assert.Equal((redirect == ">>" ? "kept\n" : "") + inProcess.Out, File.ReadAllText(file));
        Assert.Equal("predictions: /dev/stdout", error.TrimEnd());
    }

    // A shell's process substitution (--output >(gzip > p.csv.gz)) names a pipe as /dev/fd/N, a link to no path
    // ("pipe:[…]"): the output check took it for a link to a file not made yet and refused it, as a new file that
    // /dev/fd does not take. Here the pipe is the test's own, named as /proc/self/fd/N.
    [Fact]
    public async Task APipeNamedByItsDescriptorGetsThePredictions()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string model = cli.DiabetesModel();
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        string path = $"/proc/self/fd/{pipe.ClientSafePipeHandle.DangerousGetHandle()}";
        Task<string> read = new StreamReader(pipe).ReadToEndAsync();
        CliRun run = cli.Run("predict", "--model", model, "--data", Cli.Data("diabetes.csv"), "--output", path);
        pipe.DisposeLocalCopyOfClientHandle(); // the last writer: the reader sees the end
        Assert.True(run.ExitCode == 0, run.ToString());
        CliRun stdout = cli.Run("predict", "--model", model, "--data", Cli.Data("diabetes.csv"));
        Assert.Equal(stdout.Out, await read);
    }

    // Standard output is written through the stream the process was given, so what the process could open itself does
    // not matter: 'runuser -u nobody -- fastnn predict ... --output /dev/stdout > out.csv' (the file the root shell
    // opened) was refused by the check, which asked whether nobody may open out.csv ("Permission denied").
    [Fact]
    public void DevStdoutIsWrittenWhenTheProcessCouldNotOpenItsFileItself()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser"))
            return; // the other user and the root-owned file need root
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        CliRun inProcess = cli.Run("predict", "--model", model, "--data", data);
        Assert.True(inProcess.ExitCode == 0, inProcess.ToString());
        File.SetUnixFileMode(cli.Folder, File.GetUnixFileMode(cli.Folder) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        string file = cli.PathOf("out.csv");
        (int exit, _, string error) = Cli.Shell($"exec /usr/sbin/runuser -u nobody -- \"$@\" > \"{file}\"", "predict", "--model", model, "--data", data, "--output", "/dev/stdout");
        Assert.True(exit == 0, error);
        Assert.Equal(inProcess.Out, File.ReadAllText(file));
    }

    // A float model's value in the target's units past float's range: predict wrote Infinity (which fastnn cannot read
    // back), where eval scored the finite double value. Both take the double value.
    [Fact]
    public void AFloatModelsValueBeyondFloatIsWrittenAsTheDoubleEvalScores()
    {
        using var cli = new Cli();
        string model = cli.PathOf("wide.safetensors"), data = Cli.Data("diabetes.csv");
        Assert.Equal(0, cli.Run("train", "--data", data, "--layers", "", "--epochs", "1", "--save", model).ExitCode);
        SavedModel<float> saved = ModelFile.Load<float>(model);
        saved.Model.Parameter("0.weight").Clear();
        saved.Model.Parameter("0.bias")[0] = 5;
        ModelFile.Save(model, saved.Model, saved.Info with { Target = new Standardizer([1e38], [1e38]) });
        CliRun predict = cli.Run("predict", "--model", model, "--data", data);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(File.ReadLines(data).Count(), lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal(5 * 1e38 + 1e38, double.Parse(line, CultureInfo.InvariantCulture)));

        // Every row's value is 6E+38: eval's RMSE is its distance to the targets, all far below it.
        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("RMSE 6E+38 (", eval.Out);
    }
}
