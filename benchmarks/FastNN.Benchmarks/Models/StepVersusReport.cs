using System.Reflection;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// A training step of this build against the same step of another build (the code before a change), on one thread or more, in
/// paired rounds in one process: the other build's FastNN.Benchmarks, FastNN and FastNN.Intrinsics assemblies are
/// loaded from its output directory into a load context of their own. Across processes this VM's speed moves by more
/// than the changes measured (the 20-layer step read 61-70 % efficiency in four runs of the same code within minutes).
/// </summary>
/// <remarks>Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- step-versus DIR [workloads] [--rounds N] [--threads N]</c>
/// (workloads among <c>mlp64 mlp256 deep64</c>, all three by default; 15 rounds; one thread). Each build has its own
/// worker pool; with two threads the other build's worker sleeps through this build's slice and the 10 ms pause.</remarks>
internal static class StepVersusReport
{
    public static void Run(ModeArguments arguments)
    {
        string directory = arguments.LeadingDirectory("the other build's output directory (holding FastNN.Benchmarks.dll, FastNN.dll and FastNN.Intrinsics.dll)");
        int rounds = arguments.Count("--rounds", 15), threads = arguments.Threads("--threads");
        IReadOnlyList<string> workloads = arguments.Names(StepWorkload.Steps);

        var context = new OtherBuild(directory);
        Assembly benchmarks = context.LoadFromAssemblyName(new AssemblyName("FastNN.Benchmarks"));
        Type workloadType = benchmarks.GetType(typeof(StepWorkload).FullName!, throwOnError: true)!;
        MethodInfo create = workloadType.GetMethod(nameof(StepWorkload.Create), BindingFlags.Public | BindingFlags.Static)!;
        context.LoadFromAssemblyName(new AssemblyName("FastNN.Intrinsics")).GetType(typeof(Parallelism).FullName!, throwOnError: true)!
            .GetProperty(nameof(Parallelism.MaxThreads))!.SetValue(null, threads);
        Parallelism.MaxThreads = threads;

        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// Versus: {directory}. Paired rounds: {rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side, {Parallelism.MaxThreads} thread(s); every slice starts with one untimed step.");
        Console.WriteLine();
        Console.WriteLine("| Workload | this build ms | versus ms | this / versus speed |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (string name in workloads)
        {
            StepWorkload mine = StepWorkload.Create(name);
            Console.WriteLine($"// {name}, this build: {HugePageReport.Describe()}");
            var other = (Action)workloadType.GetProperty(nameof(StepWorkload.Step))!.GetValue(create.Invoke(null, [name]))!;
            WarmUp(mine.Step);
            WarmUp(other);
            double[][] t = PairedRounds.Measure(rounds, () => Thread.Sleep(10),
                PairedRounds.Local(mine.Step, untimedFirst: true), PairedRounds.Local(other, untimedFirst: true));
            Console.WriteLine($"| {name} | {PairedRounds.Median(t, x => x[0]) * 1e3:F3} | {PairedRounds.Median(t, x => x[1]) * 1e3:F3} | " +
                $"{PairedRounds.Median(t, x => x[1] / x[0]):F3}x |");
        }
    }

    /// <summary>Steps for 1.5 s, so both builds' methods reach their final tier before anything is timed.</summary>
    private static void WarmUp(Action step)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalMilliseconds < 1500)
            step();
    }
}
