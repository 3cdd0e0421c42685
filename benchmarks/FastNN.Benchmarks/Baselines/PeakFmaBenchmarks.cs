using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// The FMA peak of one core: twelve independent FMA chains, enough to cover the FMA latency on every
/// core here (4 cycles × 2 pipes needs 8), so the rate is throughput-bound. Every GEMM figure is quoted as a
/// fraction of this, measured in the same run.
/// </summary>
public class PeakFmaBenchmarks : IWorkload
{
    private const int Steps = 1 << 20;
    private const int Chains = 12;

    /// <summary>256-bit float FMAs: 8 lanes.</summary>
    [Benchmark, BenchmarkCategory(BenchmarkConfig.Vector256Category)]
    public float Vector256Float() => Chains256(Vector256.Create(0.999999f), Vector256.Create(1e-6f));

    /// <summary>256-bit double FMAs: 4 lanes.</summary>
    [Benchmark, BenchmarkCategory(BenchmarkConfig.Vector256Category)]
    public double Vector256Double() => Chains256(Vector256.Create(0.999999), Vector256.Create(1e-6));

    /// <summary>512-bit float FMAs: 16 lanes.</summary>
    [Benchmark, BenchmarkCategory(BenchmarkConfig.Vector512Category)]
    public float Vector512Float() => Chains512(Vector512.Create(0.999999f), Vector512.Create(1e-6f));

    /// <summary>512-bit double FMAs: 8 lanes.</summary>
    [Benchmark, BenchmarkCategory(BenchmarkConfig.Vector512Category)]
    public double Vector512Double() => Chains512(Vector512.Create(0.999999), Vector512.Create(1e-6));

    /// <inheritdoc/>
    public double Flops(string method)
    {
        int lanes = method switch
        {
            nameof(Vector256Float) => 8,
            nameof(Vector256Double) => 4,
            nameof(Vector512Float) => 16,
            nameof(Vector512Double) => 8,
            _ => 0,
        };
        return 2.0 * Steps * Chains * lanes;
    }

    /// <inheritdoc/>
    public double Bytes(string method) => 0;

    // acc = acc * x + y converges to y / (1 - x) = 1: no overflow, no subnormals, nothing the JIT can fold.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static T Chains256<T>(Vector256<T> x, Vector256<T> y)
    {
        Vector256<T> a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
        for (int i = 0; i < Steps; i++)
        {
            a0 = Fma(a0, x, y); a1 = Fma(a1, x, y); a2 = Fma(a2, x, y); a3 = Fma(a3, x, y);
            a4 = Fma(a4, x, y); a5 = Fma(a5, x, y); a6 = Fma(a6, x, y); a7 = Fma(a7, x, y);
            a8 = Fma(a8, x, y); a9 = Fma(a9, x, y); a10 = Fma(a10, x, y); a11 = Fma(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static T Chains512<T>(Vector512<T> x, Vector512<T> y)
    {
        Vector512<T> a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
        for (int i = 0; i < Steps; i++)
        {
            a0 = Fma(a0, x, y); a1 = Fma(a1, x, y); a2 = Fma(a2, x, y); a3 = Fma(a3, x, y);
            a4 = Fma(a4, x, y); a5 = Fma(a5, x, y); a6 = Fma(a6, x, y); a7 = Fma(a7, x, y);
            a8 = Fma(a8, x, y); a9 = Fma(a9, x, y); a10 = Fma(a10, x, y); a11 = Fma(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
}
