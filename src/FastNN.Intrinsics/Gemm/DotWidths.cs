using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

// The dot-product path's side of each vector width (IDotWidth): the tree's folds are in-lane shuffles and adds, the
// same order on every width: 128-bit groups pairwise, then lanes pairwise.

internal readonly unsafe partial struct Width512<T> : IDotWidth<T, Vector512<T>>
{
    // 4×5: 20 accumulators, four A vectors and a B vector in the 32 registers.
    public static int DotColumns(int rows) => 5;
    public static int DotStrip => 5;
    public static int Groups => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FirstLanes(int count) => Masked512.FirstLanes<T>(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadFirst(T* p, Vector512<T> mask, int count) => Masked512.Load(p, mask);

    /// <summary>Four rows in one vector, row r in group r: ((g0 + g2) + (g1 + g3)) of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FoldColumn(Vector512<T> r0, Vector512<T> r1, Vector512<T> r2, Vector512<T> r3, int set)
    {
        // [r0.g0 + r0.g2, r0.g1 + r0.g3, r1.g0 + r1.g2, r1.g1 + r1.g3], and the same for r2, r3; then adjacent groups.
        Vector512<T> u = Shuffle(r0, r1, 0x44) + Shuffle(r0, r1, 0xEE), w = Shuffle(r2, r3, 0x44) + Shuffle(r2, r3, 0xEE);
        return Shuffle(u, w, 0x88) + Shuffle(u, w, 0xDD);
    }

    /// <summary>The 128-bit groups of x and y that <paramref name="control"/> picks (vshuff32x4): the bits move, whatever T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Shuffle(Vector512<T> x, Vector512<T> y, [ConstantExpected] byte control) =>
        Avx512F.Shuffle4x128(x.AsSingle(), y.AsSingle(), control).As<float, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LaneSums(Vector512<T> v0, Vector512<T> v1, Vector512<T> v2, Vector512<T> v3)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<float> a = Avx512F.UnpackLow(v0.AsSingle(), v1.AsSingle()) + Avx512F.UnpackHigh(v0.AsSingle(), v1.AsSingle());
            Vector512<float> b = Avx512F.UnpackLow(v2.AsSingle(), v3.AsSingle()) + Avx512F.UnpackHigh(v2.AsSingle(), v3.AsSingle());
            return (Avx512F.Shuffle(a, b, 0x44) + Avx512F.Shuffle(a, b, 0xEE)).As<float, T>();
        }
        return (Avx512F.UnpackLow(v0.AsDouble(), v1.AsDouble()) + Avx512F.UnpackHigh(v0.AsDouble(), v1.AsDouble())).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreGroup(Vector512<T> x, int group, T* c, int count, T beta)
    {
        Vector512<float> bits = x.AsSingle();
        Vector128<float> g = group switch
        {
            0 => bits.GetLower().GetLower(),
            1 => Avx512F.ExtractVector128(bits, 1),
            2 => Avx512F.ExtractVector128(bits, 2),
            _ => Avx512F.ExtractVector128(bits, 3),
        };
        GroupStore.Lanes(g.As<float, T>(), c, count, beta);
    }
}

internal readonly unsafe partial struct Width256<T> : IDotWidth<T, Vector256<T>>
{
    // 16 registers. 4×2: 8 accumulators, 4 A vectors, a B vector; 3×4 and 2×4 fill them (12 + 3 + 1), 4×3 spills (17).
    // Measured (Zen 5, float, DOTNET_EnableAVX512=0, GFLOP/s): 3×4 97-115 against 81 for 3×2; 1×4 and 2×4 46-49 and
    // 77-83 against 29 and 54-56 for ×2; 4×3 0.6-0.8x 4×2; strips of 8 or 10 columns no better than 4.
    public static int DotColumns(int rows) => rows == 4 ? 2 : 4;
    public static int DotStrip => 4;
    public static int Groups => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FirstLanes(int count) =>
        typeof(T) == typeof(float)
            ? Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).As<int, T>()
            : Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).As<long, T>();

    // vmaskmovps/pd: masked-off lanes are neither read nor faulted on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadFirst(T* p, Vector256<T> mask, int count) =>
        typeof(T) == typeof(float)
            ? Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>()
            : Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();

    /// <summary>Two rows per vector: set 0 rows 0 and 1, set 1 rows 2 and 3, each (g0 + g1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FoldColumn(Vector256<T> r0, Vector256<T> r1, Vector256<T> r2, Vector256<T> r3, int set) =>
        set == 0 ? FoldHalves(r0, r1) : FoldHalves(r2, r3);

    /// <summary>[x.g0 + x.g1, y.g0 + y.g1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> FoldHalves(Vector256<T> x, Vector256<T> y) =>
        Avx.Permute2x128(x.AsSingle(), y.AsSingle(), 0x20).As<float, T>() + Avx.Permute2x128(x.AsSingle(), y.AsSingle(), 0x31).As<float, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LaneSums(Vector256<T> v0, Vector256<T> v1, Vector256<T> v2, Vector256<T> v3)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<float> a = Avx.UnpackLow(v0.AsSingle(), v1.AsSingle()) + Avx.UnpackHigh(v0.AsSingle(), v1.AsSingle());
            Vector256<float> b = Avx.UnpackLow(v2.AsSingle(), v3.AsSingle()) + Avx.UnpackHigh(v2.AsSingle(), v3.AsSingle());
            return (Avx.Shuffle(a, b, 0x44) + Avx.Shuffle(a, b, 0xEE)).As<float, T>();
        }
        return (Avx.UnpackLow(v0.AsDouble(), v1.AsDouble()) + Avx.UnpackHigh(v0.AsDouble(), v1.AsDouble())).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreGroup(Vector256<T> x, int group, T* c, int count, T beta) =>
        GroupStore.Lanes(group == 0 ? x.GetLower() : x.GetUpper(), c, count, beta);
}

internal readonly unsafe partial struct Width128<T> : IDotWidth<T, Vector128<T>>
{
    // 16 registers, and no FMA on x64 (a multiply and an add: one more register): 3×4 spills here (27 against 37
    // GFLOP/s for 3×2, SSE, float), 1×4 and 2×4 beat ×2 (32 and 37-39 against 14 and 28).
    public static int DotColumns(int rows) => rows >= 3 ? 2 : 4;
    public static int DotStrip => 4;
    public static int Groups => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FirstLanes(int count) =>
        typeof(T) == typeof(float)
            ? Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).As<int, T>()
            : Vector128.LessThan(Vector128<long>.Indices, Vector128.Create((long)count)).As<long, T>();

    /// <summary>vmaskmovps/pd where AVX exists; else (SSE only, Arm) the one to three elements one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadFirst(T* p, Vector128<T> mask, int count)
    {
        if (Avx.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>()
                : Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }
        if (typeof(T) == typeof(double))
            return Vector128.CreateScalar(*p);
        float* f = (float*)p;
        return Vector128.Create(f[0], count > 1 ? f[1] : 0f, count > 2 ? f[2] : 0f, 0f).As<float, T>();
    }

    /// <summary>One row per vector, as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FoldColumn(Vector128<T> r0, Vector128<T> r1, Vector128<T> r2, Vector128<T> r3, int set) =>
        set switch { 0 => r0, 1 => r1, 2 => r2, _ => r3 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LaneSums(Vector128<T> v0, Vector128<T> v1, Vector128<T> v2, Vector128<T> v3)
    {
        if (typeof(T) == typeof(float) && Sse.IsSupported)
        {
            Vector128<float> a = Sse.UnpackLow(v0.AsSingle(), v1.AsSingle()) + Sse.UnpackHigh(v0.AsSingle(), v1.AsSingle());
            Vector128<float> b = Sse.UnpackLow(v2.AsSingle(), v3.AsSingle()) + Sse.UnpackHigh(v2.AsSingle(), v3.AsSingle());
            return (Sse.Shuffle(a, b, 0x44) + Sse.Shuffle(a, b, 0xEE)).As<float, T>();
        }
        if (typeof(T) == typeof(double) && Sse2.IsSupported)
            return (Sse2.UnpackLow(v0.AsDouble(), v1.AsDouble()) + Sse2.UnpackHigh(v0.AsDouble(), v1.AsDouble())).As<double, T>();
        // Elsewhere (Arm) lane by lane, in the same order.
        if (typeof(T) == typeof(float))
            return Vector128.Create(Sum4(v0.AsSingle()), Sum4(v1.AsSingle()), Sum4(v2.AsSingle()), Sum4(v3.AsSingle())).As<float, T>();
        return Vector128.Create(Sum2(v0.AsDouble()), Sum2(v1.AsDouble())).As<double, T>();
    }

    private static float Sum4(Vector128<float> v) => (v.GetElement(0) + v.GetElement(2)) + (v.GetElement(1) + v.GetElement(3));

    private static double Sum2(Vector128<double> v) => v.GetElement(0) + v.GetElement(1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreGroup(Vector128<T> x, int group, T* c, int count, T beta) => GroupStore.Lanes(x, c, count, beta);
}

internal readonly unsafe partial struct ScalarWidth<T> : IDotWidth<T, T>
{
    // As Width128 (16 registers): 1×4 and 2×4 beat ×2 by 5-20%, 3×4 and 4×4 spill (7-10 against 11-12 GFLOP/s).
    public static int DotColumns(int rows) => rows >= 3 ? 2 : 4;
    public static int DotStrip => 4;
    public static int Groups => 1;

    // One lane: a row never ends inside a vector, so neither is called.
    public static T FirstLanes(int count) => T.Zero;
    public static T LoadFirst(T* p, T mask, int count) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FoldColumn(T r0, T r1, T r2, T r3, int set) => set switch { 0 => r0, 1 => r1, 2 => r2, _ => r3 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LaneSums(T v0, T v1, T v2, T v3) => v0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreGroup(T x, int group, T* c, int count, T beta) => *c = beta == T.Zero ? x : beta * *c + x;
}

/// <summary>The store of one group of sums into a row of C.</summary>
file static unsafe class GroupStore
{
    /// <summary>c[j] := beta·c[j] + x_j for j &lt; <paramref name="count"/>; c is not read when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lanes<T>(Vector128<T> x, T* c, int count, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (count == Vector128<T>.Count)
        {
            if (beta != T.Zero)
                x = Vector128.Create(beta) * Vector128.Load(c) + x;
            x.Store(c);
            return;
        }
        // Written out, so that every lane index is a constant.
        Store(c, x.GetElement(0), beta);
        if (count > 1)
            Store(c + 1, x.GetElement(1), beta);
        if (count > 2)
            Store(c + 2, x.GetElement(2), beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, T x, T beta) where T : unmanaged, IFloatingPointIeee754<T> =>
        *c = beta == T.Zero ? x : beta * *c + x;
}

