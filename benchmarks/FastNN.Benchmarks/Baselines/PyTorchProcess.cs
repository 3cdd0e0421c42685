using System.Diagnostics;
using System.Globalization;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// A baseline script of <c>benchmarks/pytorch</c> (<c>training_step.py</c> by default, <c>layers.py</c>) run with
/// <c>--serve</c> as a child process with a fixed thread count, timed in paired
/// rounds beside FastNN: the child times its own slices (so no pipe latency enters a figure), each after one untimed
/// call as the FastNN sides do, and sits blocked on its input between them, leaving the cores to the other sides.
/// </summary>
/// <remarks>
/// Threads are set as issue 15 asks: OMP_NUM_THREADS and OPENBLAS_NUM_THREADS in the child's environment (Debian's
/// torch uses OpenBLAS's pthread build, which sizes its pool when it loads) and <c>torch.set_num_threads</c>. On a CPU
/// with AVX-512 OPENBLAS_CORETYPE is SkylakeX, as for the C# OpenBLAS baseline, and OPENBLAS_THREAD_TIMEOUT lets
/// OpenBLAS's workers sleep as soon as a call ends (see GemmPairedReport.ConfigureEnvironment).
/// </remarks>
internal sealed class PyTorchProcess : IDisposable
{
    public const string Python = "/usr/bin/python3";

    private readonly Process _process;

    private PyTorchProcess(Process process, int threads)
    {
        _process = process;
        Threads = threads;
    }

    public int Threads { get; }

    private const string DefaultScript = "training_step.py";

    /// <summary>Why the baseline cannot run here, or null when it can.</summary>
    public static string? Problem => ProblemWith(DefaultScript);

    /// <summary>Why <paramref name="script"/> cannot run here, or null when it can.</summary>
    public static string? ProblemWith(string script) => ProblemWith(script, Python);

    /// <summary>
    /// Why <paramref name="script"/> cannot run with <paramref name="python"/>: no interpreter, no script, or an
    /// interpreter that cannot import torch (Debian's python3 without python3-torch), whose child would otherwise
    /// die on its first request.
    /// </summary>
    internal static string? ProblemWith(string script, string python) =>
        !File.Exists(python) ? $"{python} not found (Debian: apt-get install python3-torch): PyTorch sides skipped."
        : ScriptPath(script) is null ? $"benchmarks/pytorch/{script} not found {RepositoryFile.Searched}: PyTorch sides skipped."
        : !ImportsTorch.GetOrAdd(python, TryImportTorch) ? $"{python} cannot import torch (Debian: apt-get install python3-torch): PyTorch sides skipped."
        : null;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> ImportsTorch = new();

    private static bool TryImportTorch(string python)
    {
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import torch");
        try
        {
            using Process process = Process.Start(info)!;
            // Drained so that a long traceback cannot fill a pipe and block the child.
            Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill();
                return false;
            }
            Task.WaitAll(output, error);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not an executable
        }
    }

    private static string? ScriptPath(string script) => RepositoryFile.Find(Path.Combine("benchmarks", "pytorch", script));

    /// <summary>Starts <paramref name="scriptName"/> as a server with <paramref name="threads"/> threads and checks that torch imports.</summary>
    public static PyTorchProcess Start(int threads, string scriptName = DefaultScript)
    {
        string script = ScriptPath(scriptName) ?? throw new InvalidOperationException(ProblemWith(scriptName));
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--serve");
        info.ArgumentList.Add("--threads");
        info.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        info.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        info.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        info.Environment["OPENBLAS_THREAD_TIMEOUT"] = "4";
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { } core)
            info.Environment["OPENBLAS_CORETYPE"] = core;
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Python}.");
        return new PyTorchProcess(process, threads);
    }

    /// <summary>A paired-rounds side for <paramref name="workload"/>.</summary>
    public ITimedSide Side(string workload) => new RemoteSide(this, workload);

    /// <summary>The child's torch version, thread count and BLAS environment, as it reports them.</summary>
    public string Describe() => Ask("info");

    private string Ask(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        return _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"The PyTorch process ({Threads} threads) ended on '{line}' with exit code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.WriteLine("quit");
            _process.StandardInput.Flush();
            if (!_process.WaitForExit(5000))
                _process.Kill();
        }
        _process.Dispose();
    }

    private sealed class RemoteSide(PyTorchProcess owner, string workload) : ITimedSide
    {
        public int Calibrate(double sliceMilliseconds) =>
            int.Parse(owner.Ask(string.Create(CultureInfo.InvariantCulture, $"calibrate {workload} {sliceMilliseconds}")), CultureInfo.InvariantCulture);

        public double SecondsPerCall(int calls) =>
            double.Parse(owner.Ask(string.Create(CultureInfo.InvariantCulture, $"time {workload} {calls}")), CultureInfo.InvariantCulture);
    }
}
