using System.Numerics;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// The paired sections <c>float-dot</c> and <c>double-dot</c>: C = A·Bᵀ on the dot-product path against the path the
/// call takes without it (the small path's transposed copy, or packing), both of this build and alternated in the same
/// rounds (<c>Gemm.DotPathForced</c>), on the ISA path of the process; with OpenBLAS, and with <c>--versus</c> the other
/// build's <c>Gemm.Multiply</c> against this one's rule. Short products (a Dense layer's forward pass on a few rows, m
/// 1-128, for the row cut-off) and narrow ones (n 1-32 at m 64 and 1024, for the narrow case).
/// </summary>
internal static class GemmDotSection
{
    /// <summary>
    /// The short shapes: a few rows against the weights of the MLP's layers and a 1024×1024 one; then A·Bᵀ from 48 to
    /// 192 rows against 512×256 and 256×784 weights, either side of the packed path's turned-around rule (Gemm.TurnsAround).
    /// </summary>
    public static IEnumerable<GemmShape> ShortShapes =>
        (from layer in new[] { ("fc1", 256, 784), ("fc2", 784, 256), ("big", 1024, 1024) }
         from m in new[] { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128 }
         select new GemmShape($"{layer.Item1} m{m}", false, true, m, layer.Item2, layer.Item3))
        .Concat(from m in new[] { 48, 64, 96, 128, 160, 192 } select new GemmShape($"r512 m{m}", false, true, m, 512, 256))
        .Concat(from m in new[] { 96, 128, 160, 192 } select new GemmShape($"r256 m{m}", false, true, m, 256, 784));

    /// <summary>The narrow shapes: a layer with few outputs at batch 64 and 1024.</summary>
    public static IEnumerable<GemmShape> NarrowShapes =>
        from m in new[] { 64, 1024 }
        from k in new[] { 256, 784 }
        from n in new[] { 1, 3, 4, 8, 10, 15, 16, 24, 32 }
        select new GemmShape($"narrow", false, true, m, n, k);

    /// <summary>Times <paramref name="shapes"/> on <paramref name="threads"/> threads and prints one table.</summary>
    /// <param name="afterSlice">Called after every slice (untimed): a pause for spinning workers to sleep, above one thread.</param>
    public static void Run<T>(string title, IEnumerable<GemmShape> shapes, int rounds, int threads, BaselineBuild? versus, Action? afterSlice)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool openBlas = OpenBlas.Problem is null;
        BaselineBuild.Multiply<T>? other = versus?.Gemm<T>();
        versus?.SetThreads(threads);
        Console.WriteLine();
        var path = global::FastNN.Intrinsics.Isa.Path;
        Console.WriteLine($"### {title} ({path}, {threads} thread{(threads == 1 ? "" : "s")})");
        Console.WriteLine();
        Console.WriteLine("| Shape | dot GFLOP/s | other GFLOP/s | dot / other | rule takes | rule / OpenBLAS |" + (other is null ? "" : " rule / versus |"));
        Console.WriteLine("|---|---:|---:|---:|---|---:|" + (other is null ? "" : "---:|"));
        foreach (GemmShape shape in shapes)
        {
            var gemm = new GemmSquareBenchmarks<T> { Shape = shape, Threads = threads };
            gemm.Setup();
            bool ruleTakesDot = global::FastNN.Intrinsics.Gemm.TakesDotPath<T>(shape.TransposeA, shape.TransposeB, shape.M, shape.N, shape.K);
            var actions = new List<Action> { Forced(gemm, true), Forced(gemm, false) };
            int iOpenBlas = -1, iOther = -1;
            if (openBlas)
            {
                iOpenBlas = actions.Count;
                actions.Add(gemm.OpenBLAS);
            }
            if (other is not null)
            {
                iOther = actions.Count;
                actions.Add(() => gemm.Other(other));
            }
            double[][] t = PairedRounds.Measure(rounds, afterSlice, [.. actions]);
            int rule = ruleTakesDot ? 0 : 1;
            double f = shape.Flops;
            string Ratio(int i) => i < 0 ? "-" : $"{PairedRounds.Median(t, x => x[i] / x[rule]):F2}x";
            Console.WriteLine($"| {shape} | {PairedRounds.Median(t, x => f / x[0]) / 1e9:F1} | {PairedRounds.Median(t, x => f / x[1]) / 1e9:F1} | " +
                $"{PairedRounds.Median(t, x => x[1] / x[0]):F2}x | {(ruleTakesDot ? "dot" : "other")} | {Ratio(iOpenBlas)} |" +
                (other is null ? "" : $" {Ratio(iOther)} |"));
        }
    }

    /// <summary>One call with the dot path forced on or off.</summary>
    private static Action Forced<T>(GemmBenchmark<T> gemm, bool dot) where T : unmanaged, IFloatingPointIeee754<T> => () =>
    {
        global::FastNN.Intrinsics.Gemm.DotPathForced = dot;
        try
        {
            gemm.FastNN();
        }
        finally
        {
            global::FastNN.Intrinsics.Gemm.DotPathForced = null;
        }
    };
}
