using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using FastNN.Intrinsics;

namespace FastNN.Cli.Machine;

/// <summary>
/// The float FMA rate of one core on the SIMD path in use, measured: twelve independent FMA chains, enough to cover the
/// FMA latency of every core seen (4 cycles × 2 pipes needs 8), so the rate is bound by throughput. Every GFLOP/s the
/// bench command prints is quoted as a fraction of this, measured in the same process. Without FMA hardware (the
/// 128-bit and scalar paths under <c>DOTNET_EnableAVX=0</c>) a multiply and an add stand in for it, as in the kernels.
/// </summary>
internal static class FmaPeak
{
    private const int Chains = 12;

    private static bool HasFma => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>GFLOP/s of float FMAs on one thread, the best of a few runs of about 50 ms.</summary>
    public static double Measure() => Isa.Path switch
    {
        IsaPath.Vector512 => Best<Vector512<float>, Width512>(),
        IsaPath.Vector256 => Best<Vector256<float>, Width256>(),
        IsaPath.Vector128 => Best<Vector128<float>, Width128>(),
        _ => Best<float, Scalar>(),
    };

    private static double Best<TVector, TWidth>() where TWidth : struct, IWidth<TVector>
    {
        Run<TVector, TWidth>(1 << 12); // compile and warm up
        int steps = 1 << 16;
        while (Time<TVector, TWidth>(steps) < 0.05)
            steps *= 2;
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
            best = Math.Min(best, Time<TVector, TWidth>(steps));
        return 2.0 * Chains * TWidth.Lanes * steps / best / 1e9;
    }

    private static double Time<TVector, TWidth>(int steps) where TWidth : struct, IWidth<TVector>
    {
        long start = Stopwatch.GetTimestamp();
        Run<TVector, TWidth>(steps);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    // a = a·x + y converges to y / (1 − x) = 1: no overflow, no subnormals, nothing the JIT can fold.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run<TVector, TWidth>(int steps) where TWidth : struct, IWidth<TVector>
    {
        TVector x = TWidth.Splat(0.999999f), y = TWidth.Splat(1e-6f);
        TVector a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
        for (int i = 0; i < steps; i++)
        {
            a0 = TWidth.Fma(a0, x, y); a1 = TWidth.Fma(a1, x, y); a2 = TWidth.Fma(a2, x, y); a3 = TWidth.Fma(a3, x, y);
            a4 = TWidth.Fma(a4, x, y); a5 = TWidth.Fma(a5, x, y); a6 = TWidth.Fma(a6, x, y); a7 = TWidth.Fma(a7, x, y);
            a8 = TWidth.Fma(a8, x, y); a9 = TWidth.Fma(a9, x, y); a10 = TWidth.Fma(a10, x, y); a11 = TWidth.Fma(a11, x, y);
        }
        return TWidth.First(a0) + TWidth.First(a1) + TWidth.First(a2) + TWidth.First(a3) + TWidth.First(a4) + TWidth.First(a5)
            + TWidth.First(a6) + TWidth.First(a7) + TWidth.First(a8) + TWidth.First(a9) + TWidth.First(a10) + TWidth.First(a11);
    }

    private interface IWidth<TVector>
    {
        static abstract int Lanes { get; }
        static abstract TVector Splat(float value);
        static abstract TVector Fma(TVector a, TVector b, TVector c);
        static abstract float First(TVector a);
    }

    private readonly struct Width512 : IWidth<Vector512<float>>
    {
        public static int Lanes => Vector512<float>.Count;
        public static Vector512<float> Splat(float value) => Vector512.Create(value);
        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
        public static float First(Vector512<float> a) => a.ToScalar();
    }

    private readonly struct Width256 : IWidth<Vector256<float>>
    {
        public static int Lanes => Vector256<float>.Count;
        public static Vector256<float> Splat(float value) => Vector256.Create(value);
        public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
        public static float First(Vector256<float> a) => a.ToScalar();
    }

    private readonly struct Width128 : IWidth<Vector128<float>>
    {
        public static int Lanes => Vector128<float>.Count;
        public static Vector128<float> Splat(float value) => Vector128.Create(value);
        public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => HasFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
        public static float First(Vector128<float> a) => a.ToScalar();
    }

    private readonly struct Scalar : IWidth<float>
    {
        public static int Lanes => 1;
        public static float Splat(float value) => value;
        public static float Fma(float a, float b, float c) => HasFma ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
        public static float First(float a) => a;
    }
}
