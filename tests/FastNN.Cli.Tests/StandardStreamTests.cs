namespace FastNN.Cli.Tests;

/// <summary>
/// The process's standard streams as a shell leaves them: standard error named as predict's output, and standard output
/// closed (<c>&gt;&amp;-</c>). Each runs fastnn in a process of its own, since the streams are the process's.
/// </summary>
public class StandardStreamTests
{
    // '--output /dev/stderr' opened standard error anew as a file, which truncated it: '2>> log' lost what the log held,
    // and the status line followed the CSV.
    [Theory]
    [InlineData("/dev/stderr")]
    [InlineData("/dev/fd/2")]
    [InlineData("/proc/self/fd/2")]
    public void OutputToStandardErrorAppendedToALogIsWrittenThroughTheOpenStream(string output)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string model = cli.DiabetesModel(), data = Cli.Data("diabetes.csv");
        CliRun inProcess = cli.Run("predict", "--model", model, "--data", data);
        Assert.True(inProcess.ExitCode == 0, inProcess.ToString());

        string log = cli.Write("log", "kept\n");
        (int exit, string stdout, _) = Cli.Shell($"exec \"$@\" 2>> \"{log}\"", "predict", "--model", model, "--data", data, "--output", output);
        Assert.True(exit == 0, File.ReadAllText(log));
        Assert.Equal("", stdout);
        Assert.Equal("kept\n" + inProcess.Out, File.ReadAllText(log));
    }

    // A closed standard output ended predict and train with "fastnn: Access to the path is denied." (what was denied
    // unsaid), and --version with an unhandled exception's stack trace (exit 134).
    [Theory]
    [InlineData("--version")]
    [InlineData("predict")]
    [InlineData("train")]
    public void AClosedStandardOutputIsOneLineNamingIt(string command)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string data = Cli.Data("diabetes.csv");
        string[] args = command switch
        {
            "predict" => ["predict", "--model", cli.DiabetesModel(), "--data", data],
            "train" => ["train", "--data", data, "--layers", "4", "--epochs", "1", "--save", cli.PathOf("m.safetensors"), "--plot", cli.PathOf("m.png")],
            _ => [command],
        };
        (int exit, _, string error) = Cli.Shell("exec \"$@\" >&-", args);
        Assert.True(exit == 2, $"exit {exit}\n{error}");
        Assert.Equal("fastnn: cannot write standard output: Bad file descriptor.", error.TrimEnd());
    }

    // A closed standard error aborted the process (SIGABRT, exit 134) on the first line written to it: a mistake's message
    // (exit 2 is the answer), predict's status line after the CSV was written (exit 0), or the CSV itself.
    [Theory]
    [InlineData("bogus", 2)]
    [InlineData("train", 2)]
    [InlineData("predict", 0)]
    [InlineData("predict-to-stderr", 2)]
    public void AClosedStandardErrorLeavesTheExitCodeItsOwn(string command, int expected)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string[] args = command switch
        {
            "train" => ["train", "--save", ""],
            "predict" => ["predict", "--model", cli.DiabetesModel(), "--data", Cli.Data("diabetes.csv"), "--output", cli.PathOf("p.csv")],
            "predict-to-stderr" => ["predict", "--model", cli.DiabetesModel(), "--data", Cli.Data("diabetes.csv"), "--output", "/dev/stderr"],
            _ => [command],
        };
        (int exit, string stdout, _) = Cli.Shell("exec \"$@\" 2>&-", args);
        Assert.True(exit == expected, $"exit {exit}\n{stdout}");
        Assert.Equal("", stdout);
        if (command == "predict")
            Assert.StartsWith("target\n", File.ReadAllText(cli.PathOf("p.csv")));
    }

    // gradflow opened --plot /dev/stdout anew as a file: 'fastnn gradflow --plot /dev/stdout > flow.png' truncated the
    // table printed there, and the 'plot:' line then landed inside the PNG at the table's length (a bad IDAT checksum),
    // exit 0; standard error named as the plot lost a '2> log' likewise. The PNG cannot share a stream with the table.
    // train's --plot took the same path: 'fastnn train --plot /dev/stdout > run.png' likewise.
    [Theory]
    [InlineData("gradflow", "/dev/stdout", ">")]
    [InlineData("gradflow", "/proc/self/fd/1", ">")]
    [InlineData("gradflow", "/dev/stderr", "2>")]
    [InlineData("train", "/dev/stdout", ">")]
    [InlineData("train", "/dev/stderr", "2>")]
    public void PlotsRefuseTheirCommandsOwnStandardStreams(string command, string plot, string redirect)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var cli = new Cli();
        string file = cli.PathOf("plot.png");
        string[] arguments = command == "gradflow"
            ? ["gradflow", "--depth", "1", "--width", "2", "--epochs", "1", "--plot", plot]
            : ["train", "--layers", "4", "--epochs", "1", "--save", cli.PathOf("m.safetensors"), "--plot", plot];
        (int exit, string stdout, string error) = Cli.Shell($"exec \"$@\" {redirect} \"{file}\"", arguments);
        string said = (redirect == ">" ? error : File.ReadAllText(file)).TrimEnd();
        Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{said}");
        Assert.Equal($"fastnn: --plot: '{plot}' is the command's standard {(redirect == ">" ? "output, where its results go" : "error, where its messages go")}: the file would be opened anew over them; give a file name.", said);
    }
}
