using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>
/// Vector exp, expm1 and log for float and double, reached from generic code: the runtime's log and double exp; for
/// float our own exp (<see cref="ExpSingle{TWidth, TVector}"/>) and expm1 from the same range reduction.
/// </summary>
internal static class VectorMath
{
    /// <summary>Whether <typeparamref name="T"/> has vector exp/log here: float and double.</summary>
    public static bool HasVectorMath<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>
    /// log(1 + x) of one value, accurate where 1 + x rounds (.NET's LogP1 is log(1 + x), 0 where x is below ε): the
    /// rounding of u = 1 + x cancels in log(u)·x/(u − 1) (Goldberg), and x itself where u rounds to 1. For x ≥ −½, where
    /// u − 1 is exact.
    /// </summary>
    public static T LogOnePlus<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        return u == T.One ? x : T.Log(u) * (x / (u - T.One));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Exp<T>(Vector128<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpSingle<Width128<float>, Vector128<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpSingle<Width256<float>, Vector256<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpSingle<Width512<float>, Vector512<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    /// <summary>e^x − 1 for x ≤ 0 (positive x: unspecified, finite for float); accurate near 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ExpM1NonPositive<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? ExpM1NonPositiveSingle<Width128<float>, Vector128<float>>(x.AsSingle()).As<float, T>()
            : ExpM1ByTanh<T, Width128<T>, Vector128<T>>(x);

    /// <summary>e^x − 1 for x ≤ 0 (positive x: unspecified, finite for float); accurate near 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ExpM1NonPositive<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? ExpM1NonPositiveSingle<Width256<float>, Vector256<float>>(x.AsSingle()).As<float, T>()
            : ExpM1ByTanh<T, Width256<T>, Vector256<T>>(x);

    /// <summary>e^x − 1 for x ≤ 0 (positive x: unspecified, finite for float); accurate near 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ExpM1NonPositive<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? ExpM1NonPositiveSingle<Width512<float>, Vector512<float>>(x.AsSingle()).As<float, T>()
            : ExpM1ByTanh<T, Width512<T>, Vector512<T>>(x);

    /// <summary>e^x for x ≤ 0 or NaN (positive x: unspecified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ExpNonPositive<T>(Vector128<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpNonPositiveSingle<Width128<float>, Vector128<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    /// <summary>e^x for x ≤ 0 or NaN (positive x: unspecified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ExpNonPositive<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpNonPositiveSingle<Width256<float>, Vector256<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    /// <summary>e^x for x ≤ 0 or NaN (positive x: unspecified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ExpNonPositive<T>(Vector512<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpNonPositiveSingle<Width512<float>, Vector512<float>>(x.AsSingle()).As<float, T>() : ExpLanewise(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Log<T>(Vector128<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector128.Log(x.AsSingle()).As<float, T>() : Vector128.Log(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector256.Log(x.AsSingle()).As<float, T>() : Vector256.Log(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector512.Log(x.AsSingle()).As<float, T>() : Vector512.Log(x.AsDouble()).As<double, T>();

    /// <summary>x·y + z, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector128.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector128.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>x·y + z, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector256.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector256.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>x·y + z, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector512.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>x·y + z with a single rounding (software-emulated where the hardware has no FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FusedMultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>x·y + z with a single rounding (software-emulated where the hardware has no FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FusedMultiplyAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>x·y + z with a single rounding (software-emulated where the hardware has no FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FusedMultiplyAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    /// <summary>
    /// exp for float, in float: e^x = 2^n·e^r with n = round(x/ln 2), |r| ≤ ln2/2, e^r = 1 + r + r²·P(r)
    /// (Cephes' expf polynomial, about 1 ulp). The runtime's float exp widens to double, doing twice the work, and
    /// is not inlined (a call per vector, operands through memory): this one is about twice as fast.
    /// </summary>
    /// <remarks>
    /// x is clamped to [-104, 89], where e^x already rounds to 0 or ∞ (NaN passes through); 2^n is applied with one
    /// rounding (<see cref="IVectorWidth{T, TVector}.ScaleB"/>), so n down to -150 reaches the subnormals and n = 129 gives ∞.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpSingle<TWidth, TVector>(TVector x)
        where TWidth : IVectorWidth<float, TVector> where TVector : struct
    {
        TVector q = ExpM1Reduced<TWidth, TVector>(TWidth.Clamp(x, TWidth.Constant(-104), TWidth.Constant(89)), out TVector n);
        return TWidth.ScaleB(TWidth.Add(q, TWidth.Constant(1)), n);
    }

    /// <summary>e^x for float x ≤ 0 or NaN: <see cref="ExpSingle{TWidth, TVector}"/> without the upper clamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpNonPositiveSingle<TWidth, TVector>(TVector x)
        where TWidth : IVectorWidth<float, TVector> where TVector : struct
    {
        TVector q = ExpM1Reduced<TWidth, TVector>(TWidth.AtLeast(x, TWidth.Constant(-104)), out TVector n);
        return TWidth.ScaleB(TWidth.Add(q, TWidth.Constant(1)), n);
    }

    /// <summary>
    /// e^x − 1 for float x ≤ 0 (positive x is taken as 0: ELU, its one user, keeps x there): with x = n·ln 2 + r as in
    /// <see cref="ExpSingle{TWidth, TVector}"/> and q = e^r − 1, e^x − 1 = 2^n·q + (2^n − 1), where 2^n − 1 is exact for
    /// n ≥ −24 and 2^n·q is exact; for n = 0 (|x| ≤ ln2/2) it is q itself, so there is no cancellation near 0.
    /// About 2 ulp, with no division (the tanh form <see cref="ExpM1ByTanh"/> needs two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpM1NonPositiveSingle<TWidth, TVector>(TVector x)
        where TWidth : IVectorWidth<float, TVector> where TVector : struct
    {
        // Below −30, e^x − 1 rounds to −1 already; NaN passes through.
        TVector q = ExpM1Reduced<TWidth, TVector>(TWidth.Clamp(x, TWidth.Constant(-30), TWidth.Constant(0)), out TVector n);
        TVector scale = TWidth.PowerOfTwo(n);
        return TWidth.MultiplyAdd(scale, q, TWidth.Subtract(scale, TWidth.Constant(1)));
    }

    /// <summary>
    /// e^r − 1 with x = n·ln 2 + r, n = round(x/ln 2), |r| ≤ ln2/2: Cephes' expf polynomial, e^r − 1 = r + r²·P(r).
    /// x must lie in [−104, 89] (clamped by the callers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpM1Reduced<TWidth, TVector>(TVector x, out TVector n)
        where TWidth : IVectorWidth<float, TVector> where TVector : struct
    {
        TVector magic = TWidth.Constant(12582912);   // 1.5·2^23: adding it rounds to an integer
        n = TWidth.Subtract(TWidth.MultiplyAdd(x, TWidth.Constant(1.44269504088896341), magic), magic);
        // ln 2 = 0.693359375 - 2.12194440e-4 (Cody-Waite): n·0.693359375 is exact, so r keeps its low bits.
        TVector r = TWidth.MultiplyAdd(n, TWidth.Constant(-0.693359375), x);
        r = TWidth.MultiplyAdd(n, TWidth.Constant(2.12194440e-4), r);
        // P(r) by Estrin's scheme, pairs in r then Horner in r²: the same five FMAs as Horner, but 3 deep instead of 5
        // (the loop is latency-bound: a shorter chain lets more vectors overlap). Its rounding is scaled by r² ≤ 0.12.
        TVector r2 = TWidth.Multiply(r, r);
        TVector p = Polynomial.Step<float, TWidth, TVector>(TWidth.Constant(1.9875691500e-4), r, 1.3981999507e-3);
        p = TWidth.MultiplyAdd(p, r2, Polynomial.Step<float, TWidth, TVector>(TWidth.Constant(8.3334519073e-3), r, 4.1665795894e-2));
        p = TWidth.MultiplyAdd(p, r2, Polynomial.Step<float, TWidth, TVector>(TWidth.Constant(1.6666665459e-1), r, 5.0000001201e-1));
        return TWidth.MultiplyAdd(p, r2, r);
    }

    /// <summary>
    /// e^x − 1 = 2t/(1 − t) with t = tanh(x/2): full relative accuracy near 0 and no cancellation in 1 − t for x ≤ 0.
    /// The double form (and the scalar path's), where no exp reduction of our own exists.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ExpM1ByTanh<T, TWidth, TVector>(TVector x)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector t = TanhOperator<T>.Compute<TWidth, TVector>(TWidth.Multiply(x, TWidth.Constant(0.5)));
        return TWidth.Divide(TWidth.Add(t, t), TWidth.Subtract(TWidth.Constant(1), t));
    }

    /// <summary>
    /// x·2^n for integer-valued n in [-150, 129] without a scale instruction: 2^n is applied as two halves built from
    /// the bits, so that n down to -150 reaches the subnormals with a single rounding and n = 129 gives ∞.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ScaleBByHalves<T, TWidth, TVector>(TVector x, TVector n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector magic = TWidth.Constant(typeof(T) == typeof(float) ? 12582912 : 6755399441055744);   // 1.5·2^23 or 1.5·2^52
        TVector half = TWidth.Subtract(TWidth.MultiplyAdd(n, TWidth.Constant(0.5), magic), magic);
        return TWidth.Multiply(TWidth.Multiply(x, TWidth.PowerOfTwo(half)), TWidth.PowerOfTwo(TWidth.Subtract(n, half)));
    }

    /// <summary>
    /// The runtime's double exp, made lane-independent: when any lane is beyond ±708 or NaN, the runtime recomputes the
    /// whole vector with scalar exp, so a lane's last bit would depend on its neighbours (and so on alignment and on
    /// in-place versus out-of-place calls). Here only those lanes are recomputed (with <see cref="Math.Exp"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> ExpLanewise(Vector128<double> x)
    {
        Vector128<double> special = ~Vector128.LessThanOrEqual(Vector128.Abs(x), Vector128.Create(708.0));
        Vector128<double> result = Vector128.Exp(Vector128.AndNot(x, special));
        return special == Vector128<double>.Zero ? result : PatchSpecialLanes(x, result, special);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<double> PatchSpecialLanes(Vector128<double> x, Vector128<double> result, Vector128<double> special)
    {
        for (int i = 0; i < Vector128<double>.Count; i++)
        {
            if (special.AsUInt64()[i] != 0)
                result = result.WithElement(i, Math.Exp(x[i]));
        }
        return result;
    }

    /// <summary>
    /// The runtime's double exp, made lane-independent: when any lane is beyond ±708 or NaN, the runtime recomputes the
    /// whole vector with scalar exp, so a lane's last bit would depend on its neighbours (and so on alignment and on
    /// in-place versus out-of-place calls). Here only those lanes are recomputed (with <see cref="Math.Exp"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpLanewise(Vector256<double> x)
    {
        Vector256<double> special = ~Vector256.LessThanOrEqual(Vector256.Abs(x), Vector256.Create(708.0));
        Vector256<double> result = Vector256.Exp(Vector256.AndNot(x, special));
        return special == Vector256<double>.Zero ? result : PatchSpecialLanes(x, result, special);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> PatchSpecialLanes(Vector256<double> x, Vector256<double> result, Vector256<double> special)
    {
        for (int i = 0; i < Vector256<double>.Count; i++)
        {
            if (special.AsUInt64()[i] != 0)
                result = result.WithElement(i, Math.Exp(x[i]));
        }
        return result;
    }

    /// <summary>
    /// The runtime's double exp, made lane-independent: when any lane is beyond ±708 or NaN, the runtime recomputes the
    /// whole vector with scalar exp, so a lane's last bit would depend on its neighbours (and so on alignment and on
    /// in-place versus out-of-place calls). Here only those lanes are recomputed (with <see cref="Math.Exp"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpLanewise(Vector512<double> x)
    {
        Vector512<double> special = ~Vector512.LessThanOrEqual(Vector512.Abs(x), Vector512.Create(708.0));
        Vector512<double> result = Vector512.Exp(Vector512.AndNot(x, special));
        return special == Vector512<double>.Zero ? result : PatchSpecialLanes(x, result, special);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<double> PatchSpecialLanes(Vector512<double> x, Vector512<double> result, Vector512<double> special)
    {
        for (int i = 0; i < Vector512<double>.Count; i++)
        {
            if (special.AsUInt64()[i] != 0)
                result = result.WithElement(i, Math.Exp(x[i]));
        }
        return result;
    }
}
