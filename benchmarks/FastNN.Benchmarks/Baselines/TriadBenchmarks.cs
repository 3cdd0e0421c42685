using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// STREAM-triad-like bandwidth, a[i] = b[i] + s·c[i], counting 12 bytes per element as STREAM does: over three
/// 64 MB float arrays (16M elements, far beyond every cache; the reference for the 10M-parameter optimizer
/// steps) and over three 4 MB arrays (1M elements, 12 MB that stay in L3; the ceiling for the 1M-element
/// activation and optimizer kernels, which work on arrays of that size).
/// </summary>
/// <remarks>
/// Two stores: ordinary stores (STREAM's own loop; the hardware also reads each destination line before
/// writing it, traffic STREAM does not count, so this under-reports the bus by up to a quarter) and
/// TensorPrimitives.MultiplyAdd, whose non-temporal stores skip that read. In-place updates such as AdamW's
/// read every line they write, so the larger of the two is the fair bandwidth to compare them with.
/// </remarks>
public class TriadBenchmarks : IWorkload
{
    /// <summary>Elements per array: 1M floats (4 MB, the three arrays stay in L3) or 16M (64 MB, beyond every cache).</summary>
    [Params(1 << 20, 16 << 20)]
    public int Length { get; set; }

    private float[] _a = [], _b = [], _c = [];

    /// <summary>Threads sharing the arrays, each a contiguous part.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Allocates and touches the arrays, so page faults stay out of the measurement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _a = new float[Length];
        _b = new float[Length];
        _c = new float[Length];
        _b.AsSpan().Fill(1f);
        _c.AsSpan().Fill(2f);
        _a.AsSpan().Fill(0f);
    }

    /// <summary>a = b + s·c with ordinary vector stores.</summary>
    [Benchmark]
    public void Triad() => Run(static (a, b, c) => TriadLoop(a, b, c, 3f));

    /// <summary>a = b + s·c through TensorPrimitives.MultiplyAdd (non-temporal stores at this size).</summary>
    [Benchmark]
    public void TriadNonTemporal() => Run(static (a, b, c) => TensorPrimitives.MultiplyAdd(c, 3f, b, a));

    /// <inheritdoc/>
    public double Flops(string method) => 0;

    /// <inheritdoc/>
    public double Bytes(string method) => 3.0 * sizeof(float) * Length;

    private delegate void Kernel(Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c);

    private void Run(Kernel kernel) =>
        Partitioned.Run(Length, Threads, (start, length) =>
            kernel(_a.AsSpan(start, length), _b.AsSpan(start, length), _c.AsSpan(start, length)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TriadLoop(Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, float s)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; i <= a.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.FusedMultiplyAdd(Vector512.Create(c.Slice(i, Vector512<float>.Count)), vs,
                    Vector512.Create(b.Slice(i, Vector512<float>.Count))).CopyTo(a.Slice(i, Vector512<float>.Count));
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(s);
            for (; i <= a.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(Vector256.Create(c.Slice(i, Vector256<float>.Count)), vs,
                    Vector256.Create(b.Slice(i, Vector256<float>.Count))).CopyTo(a.Slice(i, Vector256<float>.Count));
        }
        for (; i < a.Length; i++)
            a[i] = b[i] + s * c[i];
    }
}
