using System.Numerics;
using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// FastNN's GEMM against OpenBLAS on the same operands, per shape, element type and thread count.
/// The suites derive from it and choose the shapes.
/// </summary>
public abstract unsafe class GemmBenchmark<T> : IWorkload where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _a = [], _b = [], _c = [];
    private int _lda, _ldb;

    /// <summary>The problem; each suite supplies its [ParamsSource].</summary>
    public abstract GemmShape Shape { get; set; }

    /// <summary>Threads both libraries may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Pinned random operands in [-1, 1), so OpenBLAS gets stable pointers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        GemmShape s = Shape;
        _lda = s.TransposeA ? s.M : s.K;
        _ldb = s.TransposeB ? s.K : s.N;
        _a = Random(s.M * s.K, 1);
        _b = Random(s.K * s.N, 2);
        _c = GC.AllocateArray<T>(s.M * s.N, pinned: true);
        UseThreads();
    }

    /// <summary>Gives both libraries <see cref="Threads"/> threads (process-wide settings).</summary>
    internal void UseThreads()
    {
        global::FastNN.Intrinsics.Parallelism.MaxThreads = Threads;
        OpenBlas.SetThreads(Threads);
    }

    /// <summary>FastNN.Intrinsics.Gemm.Multiply, beta = 0.</summary>
    [Benchmark(Description = "FastNN")]
    public void FastNN()
    {
        GemmShape s = Shape;
        global::FastNN.Intrinsics.Gemm.Multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K,
            T.One, _a, _lda, _b, _ldb, T.Zero, _c, s.N);
    }

    /// <summary>Another build's Gemm.Multiply (<see cref="BaselineBuild"/>) on the same operands, beta = 0.</summary>
    internal void Other(BaselineBuild.Multiply<T> multiply)
    {
        GemmShape s = Shape;
        multiply(s.TransposeA, s.TransposeB, s.M, s.N, s.K, T.One, _a, _lda, _b, _ldb, T.Zero, _c, s.N);
    }

    /// <summary>cblas_sgemm / cblas_dgemm on the same operands, beta = 0.</summary>
    [Benchmark(Baseline = true, Description = "OpenBLAS"), BenchmarkCategory(OpenBlas.Category)]
    public void OpenBLAS()
    {
        GemmShape s = Shape;
        fixed (T* a = _a, b = _b, c = _c)
            OpenBlas.Gemm(s.TransposeA, s.TransposeB, s.M, s.N, s.K, T.One, a, _lda, b, _ldb, T.Zero, c, s.N);
    }

    /// <inheritdoc/>
    public double Flops(string method) => Shape.Flops;

    /// <inheritdoc/>
    public double Bytes(string method) => 0;

    private static T[] Random(int length, int seed)
    {
        var random = new Random(seed);
        T[] values = GC.AllocateArray<T>(length, pinned: true);
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
        return values;
    }
}
