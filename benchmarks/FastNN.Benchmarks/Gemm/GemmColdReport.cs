using System.Diagnostics;
using System.Numerics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// The Dense-layer products of a deep net whose weights do not stay in L2 (issue 15's 20 × Dense 256 at batch 64: 5.3 MB
/// of weights, 21 MB with gradients and moments), in paired rounds, each side with its B (the weight, or X for the
/// weight gradient) in four states: warm (the same B every call); L3 (each call the next of 20 distinct Bs, as the
/// net's layers take turns: 20 × 256 KB overflow L2 and stay in L3); B from memory (before every call, untimed, a read
/// of twice the L3 and then a call on another B, so B alone comes from DRAM while A, C, the workspace and the code are
/// back in cache, as in a training step whose optimizer pass swept the weights out); all from memory (the read alone:
/// A, C and the workspace come from DRAM too). FastNN against OpenBLAS, and against another build with <c>--versus</c>.
/// First, what one core's memory system gives: a plain sum over one B in the same states. Last, the deep net's forward
/// product turned around, Cᵀ = W·Xᵀ, with the weight as the cold operand A: what the product would gain if the layer
/// took its output transposed.
/// </summary>
/// <remarks>Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- paired cold [--rounds N] [--versus PATH]</c>.</remarks>
internal static unsafe class GemmColdReport
{
    /// <summary>Distinct Bs the L3 state rotates through: the 20-layer net's count.</summary>
    private const int Rotation = 20;

    /// <summary>Evicted calls per slice: each costs a read of twice the L3 besides the call.</summary>
    private const int EvictedCalls = 24;

    /// <summary>
    /// The shapes, with which operand is the weight that goes cold: the 20-layer net's three products, the MLP's first
    /// and second layers' at batch 64 and 256 (B cold), and the deep net's forward product as Cᵀ = W·Xᵀ (A cold).
    /// </summary>
    private static IEnumerable<(GemmShape Shape, bool ColdA)> Shapes =>
        GemmShape.DenseLayer("deep", 256, 256, 64)
            .Concat(GemmShape.DenseLayer("fc1", 784, 256, 64).Take(2))
            .Concat(GemmShape.DenseLayer("fc2", 256, 256, 256).Take(2))
            .Select(shape => (shape, false))
            .Append((new GemmShape("deep fwd as W·Xᵀ b64", false, true, 256, 64, 256), true));

    public static void Run(int rounds, BaselineBuild? versus)
    {
        long l3 = CacheHierarchy.Current.L3?.Bytes ?? CacheHierarchy.Current.L2.Bytes * 8;
        float[] evict = GC.AllocateArray<float>((int)(2 * l3 / sizeof(float)), pinned: true);
        evict.AsSpan().Fill(1f);
        Action evictAll = () => System.Numerics.Tensors.TensorPrimitives.Sum<float>(evict);
        bool openBlas = OpenBlas.Problem is null;
        BaselineBuild.Multiply<float>? other = versus?.Gemm<float>();
        versus?.SetThreads(1);
        Parallelism.MaxThreads = 1;
        OpenBlas.SetThreads(1);
        Console.WriteLine();
        Console.WriteLine($"### float, 1 thread, B warm / from L3 ({Rotation} Bs in turn) / B from memory / all from memory (a read of {2 * l3 >> 20} MB before each call)");
        Console.WriteLine();
        ReadAlone(rounds, evictAll);
        string[] states = ["warm", "L3", "B mem", "all mem"];
        var header = new List<string>(states.Select(state => "FastNN " + state));
        if (openBlas)
            header.AddRange(states.Select(state => "OpenBLAS " + state));
        if (other is not null)
            header.AddRange(states.Select(state => "versus " + state));
        Console.WriteLine("| Shape | " + string.Join(" | ", header.Select(h => h + " GFLOP/s")) + " | FastNN / OpenBLAS (" + string.Join(", ", states) + ") |"
            + (other is null ? "" : " FastNN / versus (" + string.Join(", ", states) + ") |"));
        Console.WriteLine("|---|" + string.Concat(header.Select(_ => "---:|")) + "---|" + (other is null ? "" : "---|"));
        foreach ((GemmShape s, bool coldA) in Shapes)
        {
            int lda = s.TransposeA ? s.M : s.K, ldb = s.TransposeB ? s.K : s.N;
            // The warm operand, and the cold one in Rotation copies (called "B" in the states' names whichever it is).
            float[] warm = Random(coldA ? s.K * s.N : s.M * s.K, 1), c = GC.AllocateArray<float>(s.M * s.N, pinned: true);
            float[][] bs = [.. Enumerable.Range(0, Rotation).Select(i => Random(coldA ? s.M * s.K : s.K * s.N, 2 + i))];
            int next = 0;
            float[] NextB() => bs[next = (next + 1) % Rotation];
            var sides = new List<ITimedSide>();
            void Add(Action<float[], float[]> call)
            {
                Action<float[]> withCold = cold => { if (coldA) call(cold, warm); else call(warm, cold); };
                sides.Add(PairedRounds.Local(() => withCold(bs[0])));
                sides.Add(PairedRounds.Local(() => withCold(NextB())));
                // Everything out of the caches, then a call on another B brings back A, C, the workspace and the code.
                sides.Add(new EvictedSide(() => withCold(bs[0]), () => { evictAll(); withCold(bs[1]); }));
                sides.Add(new EvictedSide(() => withCold(bs[0]), evictAll));
            }
            Add((a, b) => global::FastNN.Intrinsics.Gemm.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N));
            if (openBlas)
            {
                Add((a, b) =>
                {
                    fixed (float* pa = a, pb = b, pc = c)
                        OpenBlas.Gemm(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, pa, lda, pb, ldb, 0f, pc, s.N);
                });
            }
            if (other is not null)
                Add((a, b) => other(s.TransposeA, s.TransposeB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N));
            double[][] t = PairedRounds.Measure(rounds, null, [.. sides]);
            string Rate(int i) => $"{PairedRounds.Median(t, x => s.Flops / x[i]) / 1e9:F1}";
            int n = states.Length;
            string Ratios(int first) => string.Join(" / ", Enumerable.Range(0, n).Select(i => $"{PairedRounds.Median(t, x => x[first + i] / x[i]):F2}x"));
            Console.WriteLine($"| {s} | " + string.Join(" | ", Enumerable.Range(0, sides.Count).Select(Rate)) + " | "
                + (openBlas ? Ratios(n) : "-") + " |" + (other is null ? "" : $" {Ratios(openBlas ? 2 * n : n)} |"));
        }
    }

    /// <summary>What the memory system gives one core: a sum over one 256×256 B (256 KB) in each state, in GB/s.</summary>
    private static void ReadAlone(int rounds, Action evictAll)
    {
        float[][] bs = [.. Enumerable.Range(0, Rotation).Select(i => Random(256 * 256, 2 + i))];
        int next = 0;
        double[][] t = PairedRounds.Measure(rounds, null,
            PairedRounds.Local(() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(bs[0])),
            PairedRounds.Local(() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(bs[next = (next + 1) % Rotation])),
            new EvictedSide(() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(bs[0]), evictAll));
        double bytes = 256 * 256 * sizeof(float);
        Console.WriteLine("A sum over one 256×256 B (256 KB), alone (warm, L3, all from memory): " + string.Join(", ", new[] { "warm", "L3", "memory" }.Select((name, i) =>
            $"{name} {PairedRounds.Median(t, x => x[i]) * 1e6:F1} µs ({PairedRounds.Median(t, x => bytes / x[i]) / 1e9:F1} GB/s)")) + ".");
        Console.WriteLine();
    }

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        float[] values = GC.AllocateArray<float>(length, pinned: true);
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>A side whose every call follows an untimed eviction; a slice is a fixed number of calls, timed one by one.</summary>
    private sealed class EvictedSide(Action action, Action evict) : ITimedSide
    {
        public int Calibrate(double sliceMilliseconds)
        {
            SecondsPerCall(EvictedCalls);
            return EvictedCalls;
        }

        public double SecondsPerCall(int calls)
        {
            long ticks = 0;
            for (int i = 0; i < calls; i++)
            {
                evict();
                long start = Stopwatch.GetTimestamp();
                action();
                ticks += Stopwatch.GetTimestamp() - start;
            }
            return (double)ticks / Stopwatch.Frequency / calls;
        }
    }
}
