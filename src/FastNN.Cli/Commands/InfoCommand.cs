using System.CommandLine;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastNN.Cli.Machine;
using FastNN.Intrinsics;
using FastNN.Models;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary><c>fastnn info</c>: version, SIMD path in use, vector width, threads and CPU.</summary>
internal static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("info", "Print the version, the SIMD path in use, its vector width, the threads and the CPU.");
        command.SetAction(_ => Fastnn.Guard(console, () => Run(console)));
        return command;
    }

    private static int Run(CliConsole console)
    {
        int bits = MachineInfo.VectorBits(Isa.Path);
        var table = new Table().AddColumns("", "").HideHeaders();
        table.AddRow("fastnn", Version(typeof(InfoCommand).Assembly));
        table.AddRow("FastNN library", Version(typeof(Sequential<>).Assembly));
        table.AddRow(".NET", $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}");
        table.AddRow("CPU", Markup.Escape($"{MachineInfo.CpuModel()}, {Environment.ProcessorCount} logical processors"));
        string caches = MachineInfo.Caches();
        if (caches.Length > 0)
            table.AddRow("caches", caches);
        table.AddRow("SIMD path", Isa.Path.ToString());
        table.AddRow("vector width", bits == 0 ? "none (scalar)" : $"{bits} bits: {bits / 32} floats, {bits / 64} doubles");
        table.AddRow("threads", $"{Parallelism.MaxThreads} of {Environment.ProcessorCount} ({ThreadsSource()})");
        table.AddRow("hardware", $"Vector512 {Accelerated(Vector512.IsHardwareAccelerated)}, Vector256 {Accelerated(Vector256.IsHardwareAccelerated)}, Vector128 {Accelerated(Vector128.IsHardwareAccelerated)}, Vector<T> {Vector<byte>.Count * 8} bits");
        console.Write(table);
        return ExitCode.Success;
    }

    private static string Accelerated(bool on) => on ? "on" : "off";

    // FASTNN_NUM_THREADS as Parallelism takes it: a positive integer, at most the processors; anything else is ignored.
    // Parsed as a BigInteger so that a positive integer past int.MaxValue (Parallelism falls back to every processor,
    // which is its cap too) reads as capped rather than as not an integer.
    private static string ThreadsSource()
    {
        string? set = Environment.GetEnvironmentVariable("FASTNN_NUM_THREADS");
        if (string.IsNullOrEmpty(set))
            return "FASTNN_NUM_THREADS unset";
        if (!BigInteger.TryParse(set, out BigInteger n) || n < 1)
            return $"FASTNN_NUM_THREADS={set} ignored: not a positive integer";
        return n > Environment.ProcessorCount ? $"FASTNN_NUM_THREADS={set}, capped at the processors" : $"FASTNN_NUM_THREADS={set}";
    }

    private static string Version(Assembly assembly) =>
        (assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?")
            .Split('+')[0];
}
