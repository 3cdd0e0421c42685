using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Elementwise;

/// <summary>
/// The element-wise kernels of <see cref="ElementwiseWorkload"/> on one thread, in paired rounds with the same kernel of
/// another build (<c>--versus DIR</c>, loaded as <c>layers</c> loads it) and optionally with another kernel of this build
/// at the same length and offset (<c>--reference CASE</c>, e.g. <c>sweep-add</c>, the hand-written add).
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- elementwise [prefixes] [--rounds N]
/// [--versus DIR] [--reference CASE]</c>: prefixes select workloads by the start of their name, a full name that workload alone (all by
/// default), 11 rounds. Speeds are the other side's time over this build's, per round, medians over the rounds (above 1: this build
/// faster); GB/s is <see cref="ElementwiseWorkload.Bytes"/> over the median time.
/// </remarks>
internal static class ElementwiseReport
{
    public static void Run(ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 11);
        string? versus = arguments.Directory("--versus");
        string? reference = arguments.Text("--reference", $"a case: {string.Join(", ", ElementwiseWorkload.Cases)}", ElementwiseWorkload.Cases.Contains);
        string[] names = arguments.Prefixed(ElementwiseWorkload.Names, "add, relu-4M");

        Parallelism.MaxThreads = 1;
        Func<string, Action>? other = null;
        if (versus is not null)
            other = OtherBuild.Workloads(versus, typeof(ElementwiseWorkload));

        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// Paired rounds: {rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side, 1 thread; medians over rounds of per-round figures.");
        if (versus is not null)
            Console.WriteLine($"// Versus: {versus} (the build before; 'before' columns)");
        if (reference is not null)
            Console.WriteLine($"// Reference: {reference} of this build at the same length and offset");
        Console.WriteLine();
        Console.WriteLine("| Workload | µs | " + (other is null ? "" : "before µs | before / after | ") +
            (reference is null ? "" : "reference µs | reference / this | ") + "GB/s |");
        Console.WriteLine("|---|---:|" + (other is null ? "" : "---:|---:|") + (reference is null ? "" : "---:|---:|") + "---:|");
        foreach (string name in names)
            Compare(name, rounds, other, reference);
    }

    private static void Compare(string name, int rounds, Func<string, Action>? other, string? reference)
    {
        ElementwiseWorkload mine = ElementwiseWorkload.Create(name);
        var sides = new List<Action> { mine.Run };
        int before = -1, referenceSide = -1;
        if (other is not null)
        {
            before = sides.Count;
            sides.Add(other(name));
        }
        if (reference is not null)
        {
            referenceSide = sides.Count;
            int dash = name.LastIndexOf('-', name.Contains('+') ? name.IndexOf('+') : name.Length - 1);
            sides.Add(ElementwiseWorkload.Create(reference + name[dash..]).Run);
        }
        Models.StepReport.WarmUp([.. sides]);
        double[][] t = PairedRounds.Measure(rounds, null, [.. sides.Select(s => PairedRounds.Local(s))]);
        string Us(int i) => F(PairedRounds.Median(t, x => x[i]) * 1e6, 3);
        string Ratio(int numerator) => F(PairedRounds.Median(t, x => x[numerator] / x[0]), 2) + "x";
        Console.WriteLine($"| {name} | {Us(0)} | " + (before < 0 ? "" : $"{Us(before)} | {Ratio(before)} | ") +
            (referenceSide < 0 ? "" : $"{Us(referenceSide)} | {Ratio(referenceSide)} | ") +
            $"{F(PairedRounds.Median(t, x => mine.Bytes / x[0]) / 1e9, 1)} |");
    }
}
