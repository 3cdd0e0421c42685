using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Layers;

/// <summary>
/// Every layer and loss pass of <see cref="LayerWorkload"/> on one thread, side by side in paired rounds with the same
/// pass of PyTorch 1.13 (<c>benchmarks/pytorch/layers.py --serve</c>, a child process with one thread), with a triad
/// over the pass's own footprint (the in-cache bandwidth ceiling of a pass of that size), and optionally with the same
/// pass of another build (<c>--versus DIR</c>: the code before a change, loaded as <c>step-versus</c> loads it).
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- layers [prefixes] [--rounds N]
/// [--versus DIR] [--no-pytorch]</c>: prefixes select workloads by the start of their name (<c>batchnorm</c>,
/// <c>ce-step</c>, …; all by default), a full name that workload alone (<c>ce-step-64x10</c>), 11 rounds.
/// <list type="bullet">
/// <item>PyTorch / FastNN: PyTorch's time over FastNN's, per round (above 1: FastNN faster);</item>
/// <item>GB/s: <see cref="LayerWorkload.Bytes"/> over the median time;</item>
/// <item>triad GB/s: a[i] = b[i] + s·c[i] over three arrays of batch·features floats (12 bytes an element), the same
/// rounds; % of triad: the pass's GB/s over it, per round.</item>
/// </list>
/// </remarks>
internal static class LayerReport
{
    private const string Script = "layers.py";

    public static void Run(ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 11);
        string? versus = arguments.Directory("--versus");
        bool pytorch = !arguments.Flag("--no-pytorch");
        string[] names = arguments.Prefixed(LayerWorkload.Names, "batchnorm, ce-step");

        Parallelism.MaxThreads = 1;
        Func<string, Action>? other = null;
        if (versus is not null)
            other = OtherBuild.Workloads(versus, typeof(LayerWorkload));

        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// Paired rounds: {rounds} rounds of {PairedRounds.SliceMilliseconds} ms per side, 1 thread; medians over rounds of per-round figures.");
        if (versus is not null)
            Console.WriteLine($"// Versus: {versus} (the build before; 'before' columns)");
        PyTorchProcess? torch = null;
        if (!pytorch)
            Console.WriteLine("// PyTorch sides skipped (--no-pytorch).");
        else if (PyTorchProcess.ProblemWith(Script) is { } problem)
            Console.WriteLine("// " + problem);
        else
        {
            torch = PyTorchProcess.Start(1, Script);
            Console.WriteLine($"// PyTorch side: {torch.Describe()}");
        }
        try
        {
            Console.WriteLine();
            Console.WriteLine("| Workload | FastNN µs | " + (other is null ? "" : "before µs | after / before speed | ") +
                "PyTorch µs | PyTorch / FastNN | " + (other is null ? "" : "PyTorch / before | ") + "FastNN GB/s | triad GB/s | % of triad |");
            Console.WriteLine("|---|---:|" + (other is null ? "" : "---:|---:|") + "---:|---:|" + (other is null ? "" : "---:|") + "---:|---:|---:|");
            foreach (string name in names)
                Compare(name, rounds, other, torch);
        }
        finally
        {
            torch?.Dispose();
        }
    }

    private static void Compare(string name, int rounds, Func<string, Action>? other, PyTorchProcess? torch)
    {
        LayerWorkload mine = LayerWorkload.Create(name);
        var triad = new Triad(mine.Batch * mine.Features);
        var sides = new List<ITimedSide> { Side(mine.Run), Side(triad.Run) };
        int before = -1, pytorch = -1;
        if (other is not null)
        {
            Action run = other(name);
            Models.StepReport.WarmUp(mine.Run, run);
            before = sides.Count;
            sides.Add(Side(run));
        }
        else
        {
            Models.StepReport.WarmUp(mine.Run);
        }
        if (torch is not null)
        {
            pytorch = sides.Count;
            sides.Add(torch.Side(name));
        }
        double[][] t = PairedRounds.Measure(rounds, null, [.. sides]);
        string Us(int i) => F(PairedRounds.Median(t, x => x[i]) * 1e6, 2);
        string Ratio(int numerator, int denominator) => numerator < 0 ? "-" : F(PairedRounds.Median(t, x => x[numerator] / x[denominator]), 2) + "x";
        double triadBytes = 3.0 * sizeof(float) * mine.Batch * mine.Features;
        Console.WriteLine($"| {name} | {Us(0)} | " + (other is null ? "" : $"{Us(before)} | {Ratio(before, 0)} | ") +
            $"{(pytorch < 0 ? "-" : Us(pytorch))} | {Ratio(pytorch, 0)} | " + (other is null ? "" : $"{Ratio(pytorch, before)} | ") +
            $"{F(PairedRounds.Median(t, x => mine.Bytes / x[0]) / 1e9, 1)} | {F(PairedRounds.Median(t, x => triadBytes / x[1]) / 1e9, 1)} | " +
            $"{F(PairedRounds.Median(t, x => mine.Bytes / x[0] / (triadBytes / x[1])) * 100, 0)} % |");
    }

    /// <summary>
    /// A side timed in this process (a pass of this build or the other, or the triad): every slice starts with one untimed
    /// call, as the PyTorch side's does, so no side is timed refilling the caches the sides before it emptied.
    /// </summary>
    internal static ITimedSide Side(Action run) => PairedRounds.Local(run, untimedFirst: true);

    /// <summary>The triad of <see cref="TriadBenchmarks"/> over three arrays of a pass's size.</summary>
    private sealed class Triad(int length)
    {
        private readonly float[] _a = new float[length], _b = Enumerable.Repeat(1f, length).ToArray(), _c = Enumerable.Repeat(2f, length).ToArray();

        public void Run() => TriadBenchmarks.TriadLoop(_a, _b, _c, 3f);
    }
}
