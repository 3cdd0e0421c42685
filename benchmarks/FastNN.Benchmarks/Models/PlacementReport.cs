using System.Diagnostics;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// Two threads over one against where the two cores sit: once a second, a training step's two-thread speed-up and the
/// cores' round trip (<see cref="CoreLatency"/>), so that a VM whose host moves its virtual CPUs between cores that share
/// an L3 and cores that do not shows which placement each speed-up came from (benchmarks/RESULTS.md, "Zen 4: the
/// blocking and the step").
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- placement [mlp64 | mlp256 | deep64]
/// [--seconds N]</c> (mlp64, 30 seconds by default). Each second: 700 ms of back-to-back steps on two threads, 300 ms on
/// one, then 100 ms of round trips between two threads.
/// </remarks>
internal static class PlacementReport
{
    public static void Run(ModeArguments arguments)
    {
        (string chosen, int seconds) = Parse(arguments);
        StepWorkload workload = StepWorkload.Create(chosen);
        StepReport.WarmUp(workload);
        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// {workload.Name}: {workload.Description}; each second 700 ms of steps on 2 threads, 300 ms on 1, 100 ms of core-to-core round trips.");
        Console.WriteLine();
        Console.WriteLine("| second | 1t ms | 2t ms | 2t / 1t | round trip ns |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var rows = new List<(double SpeedUp, double RoundTrip)>();
        for (int second = 0; second < seconds; second++)
        {
            double two = StepMilliseconds(workload, 2, 700), one = StepMilliseconds(workload, 1, 300);
            // The pool's worker spins a little after the last step: let it sleep before the round trips take both cores.
            Thread.Sleep(10);
            double roundTrip = CoreLatency.RoundTripNanoseconds(100);
            rows.Add((one / two, roundTrip));
            Console.WriteLine($"| {second + 1} | {F(one, 3)} | {F(two, 3)} | {F(one / two, 2)}x | {F(roundTrip, 0)} |");
        }
        Parallelism.MaxThreads = Environment.ProcessorCount;
        double fastest = rows.Min(r => r.RoundTrip);
        Console.WriteLine();
        Console.WriteLine($"| cores | seconds | round trip ns | 2t / 1t |");
        Console.WriteLine("|---|---:|---|---|");
        foreach ((string name, bool near) in new[] { ($"near (round trip at most {NearFactor}x the fastest)", true), ("far", false) })
        {
            var group = rows.Where(r => IsNear(r.RoundTrip, fastest) == near).ToList();
            if (group.Count > 0)
                Console.WriteLine($"| {name} | {group.Count} | {F(group.Min(r => r.RoundTrip), 0)}-{F(group.Max(r => r.RoundTrip), 0)} | " +
                    $"{F(group.Min(r => r.SpeedUp), 2)}-{F(group.Max(r => r.SpeedUp), 2)}x (median {F(Median(group.Select(r => r.SpeedUp)), 2)}x) |");
        }
    }

    /// <summary>The workload (mlp64 unless one is named) and <c>--seconds</c> (30).</summary>
    /// <exception cref="UsageException">More than one workload, an unknown word or a bad count.</exception>
    internal static (string Workload, int Seconds) Parse(ModeArguments arguments)
    {
        int seconds = arguments.Count("--seconds", 30);
        List<string> names = arguments.Words($"one of {string.Join(", ", StepWorkload.Steps)}", StepWorkload.Steps.Contains);
        if (names.Count > 1)
            throw new UsageException($"{arguments.Mode} takes one workload, not {string.Join(", ", names)}.");
        return (names.Count == 1 ? names[0] : "mlp64", seconds);
    }

    /// <summary>How much slower than the fastest round trip of a run one may be and still count as the near placement.</summary>
    internal const double NearFactor = 1.5;

    /// <summary>
    /// Whether a second's round trip is the near placement's: within <see cref="NearFactor"/> of the run's fastest. The
    /// two placements seen differ by 2.3-2.8x (Zen 4 VM: 120-190 against 350-430 ns), and a second that spans a move
    /// lands between them.
    /// </summary>
    internal static bool IsNear(double roundTrip, double fastest) => roundTrip <= NearFactor * fastest;

    private static double StepMilliseconds(StepWorkload workload, int threads, int milliseconds)
    {
        Parallelism.MaxThreads = threads;
        workload.Step();
        var clock = Stopwatch.StartNew();
        int steps = 0;
        while (clock.ElapsedMilliseconds < milliseconds)
        {
            workload.Step();
            steps++;
        }
        return clock.Elapsed.TotalMilliseconds / steps;
    }
}
