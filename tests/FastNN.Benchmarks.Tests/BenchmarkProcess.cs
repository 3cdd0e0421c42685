using System.Diagnostics;

namespace FastNN.Benchmarks.Tests;

/// <summary>The benchmark program run as a child process (<c>dotnet FastNN.Benchmarks.dll ARGS</c>), its input closed.</summary>
internal static class BenchmarkProcess
{
    /// <summary>Runs the program with <paramref name="args"/>, <paramref name="environment"/> set (null: removed); its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string[] args, params (string Name, string? Value)[] environment)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(host, [Path.Combine(AppContext.BaseDirectory, "FastNN.Benchmarks.dll"), .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            Assert.Fail($"FastNN.Benchmarks {string.Join(' ', args)} did not exit within a minute.");
        }
        return (process.ExitCode, output, error.Result);
    }
}
