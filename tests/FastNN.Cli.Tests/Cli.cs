using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace FastNN.Cli.Tests;

/// <summary>What one in-process run of the command printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The number in the last line that matches <paramref name="pattern"/> (its first group).</summary>
    public double Number(string pattern)
    {
        Match match = Regex.Matches(Out, pattern).LastOrDefault() ?? throw new Xunit.Sdk.XunitException($"no line matches '{pattern}' in:\n{Out}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs the <c>fastnn</c> command in this process, as a log would see it (no terminal), in a folder of its own.</summary>
internal sealed class Cli : IDisposable
{
    public Cli() => Directory.CreateDirectory(Folder);

    /// <summary>A fresh temporary folder for the run's files.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "fastnn-cli-tests", Guid.NewGuid().ToString("N"));

    public string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>A data set of the repository's data folder.</summary>
    public static string Data(string file) => Path.Combine(AppContext.BaseDirectory, "data", file);

    /// <summary>Writes <paramref name="text"/> to a file in the folder and returns its path.</summary>
    public string Write(string file, string text)
    {
        string path = PathOf(file);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs the command; <c>train</c> writes its model and plot into the folder unless told where.</summary>
    public CliRun Run(params string[] args) => Run(new StringWriter(), args);

    /// <summary>
    /// Runs the command as <see cref="Run(string[])"/> does and, when it first writes a line to standard output that
    /// starts with <paramref name="line"/>, handles <paramref name="signal"/> in its <see cref="StopSignal"/> there, as the
    /// runtime's signal thread would at that moment: a signal at a chosen point of the work, with no timing.
    /// </summary>
    public CliRun RunSignalled(PosixSignal signal, string line, params string[] args)
    {
        StopSignal? stop = null;
        StopSignal.Created.Value = s => stop = s;
        try
        {
            return Run(new LineHook(line, () => stop!.Handle(new PosixSignalContext(signal))), args);
        }
        finally
        {
            StopSignal.Created.Value = null;
        }
    }

    private CliRun Run(StringWriter output, string[] args)
    {
        if (args is ["train", ..] && !args.Contains("--help"))
        {
            if (!args.Contains("--save"))
                args = [.. args, "--save", PathOf("model.safetensors")];
            if (!args.Contains("--plot"))
                args = [.. args, "--plot", PathOf("model.png")];
        }
        var error = new StringWriter();
        int exit = Fastnn.Run(args, new CliConsole(output, error, interactive: false));
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    // Standard output that calls an action after the first line starting with a prefix.
    private sealed class LineHook(string prefix, Action action) : StringWriter
    {
        private bool _done;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (!_done && value is not null && value.StartsWith(prefix, StringComparison.Ordinal))
            {
                _done = true;
                action();
            }
        }
    }

    /// <summary>A model trained for one epoch on diabetes.csv (8 hidden units), saved in the folder: its path.</summary>
    public string DiabetesModel()
    {
        string model = PathOf("diabetes.safetensors");
        CliRun train = Run("train", "--data", Data("diabetes.csv"), "--layers", "8", "--epochs", "1", "--save", model);
        Xunit.Assert.True(train.ExitCode == 0, train.ToString());
        return model;
    }

    /// <summary>
    /// Runs <c>sh -c <paramref name="script"/></c> with fastnn's command line as <c>"$@"</c>, in a process of its own (for
    /// the standard streams a shell gives it): its exit code and what it wrote to the streams the script left it.
    /// </summary>
    public static (int Exit, string Out, string Error) Shell(string script, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", script, "sh", DotnetHost(), Path.Combine(AppContext.BaseDirectory, "FastNN.Cli.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        Xunit.Assert.True(process.WaitForExit(60_000), "fastnn did not end within a minute");
        return (process.ExitCode, output.Result, error);
    }

    /// <summary>The dotnet host running the tests (dotnet test's testhost), else the one on the PATH: to run fastnn in a process of its own.</summary>
    public static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    public void Dispose()
    {
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
    }
}
