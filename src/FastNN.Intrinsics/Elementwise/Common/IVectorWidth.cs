using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// One vector width (Vector128, Vector256 or Vector512) seen through static abstract members, so that each
/// driver loop is written once and the JIT specializes it per width instead of copy-pasting it three times.
/// </summary>
internal interface IVectorWidth<T, TVector>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
{
    /// <summary>Whether this width is accelerated for <typeparamref name="T"/> in this process.</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Load(ref T source, nuint index);

    static abstract void Store(TVector value, ref T destination, nuint index);

    static abstract TVector Broadcast(T value);

    /// <summary>A constant in every lane (a literal of the formula, rounded to <typeparamref name="T"/>).</summary>
    static abstract TVector Constant(double value);

    static abstract TVector Apply<TOperator>(in TOperator op, TVector x) where TOperator : struct, IUnaryOperator<T>;

    static abstract TVector Apply<TOperator>(in TOperator op, TVector x, TVector y) where TOperator : struct, IBinaryOperator<T>;

    static abstract TVector Apply<TOperator>(in TOperator op, TVector x, TVector y, TVector z) where TOperator : struct, ITernaryOperator<T>;

    /// <summary>A loss operator: returns the loss terms, the gradient in <paramref name="gradient"/>.</summary>
    static abstract TVector Apply<TOperator>(in TOperator op, TVector p, TVector t, out TVector gradient) where TOperator : struct, ILossOperator<T>;

    static abstract T Reduce<TOperator>(TVector x) where TOperator : struct, IAggregationOperator<T>;

    /// <summary>The last <paramref name="trailing"/> lanes of <paramref name="x"/>, the others set to <paramref name="identity"/>.</summary>
    static abstract TVector KeepLast(TVector x, int trailing, T identity);

    static abstract TVector Add(TVector x, TVector y);
    static abstract TVector Subtract(TVector x, TVector y);
    static abstract TVector Multiply(TVector x, TVector y);
    static abstract TVector Divide(TVector x, TVector y);

    /// <summary>x·y + z, fused where the hardware has FMA (so results may differ across paths in the last bit).</summary>
    static abstract TVector MultiplyAdd(TVector x, TVector y, TVector z);

    /// <summary>x·y + z with a single rounding on every path (emulated, slowly, where the hardware has no FMA).</summary>
    static abstract TVector FusedMultiplyAdd(TVector x, TVector y, TVector z);
    static abstract TVector Abs(TVector x);
    static abstract TVector Negate(TVector x);
    static abstract TVector Sqrt(TVector x);
    static abstract TVector Exp(TVector x);

    /// <summary>e^x for x ≤ 0 (or NaN): as <see cref="Exp"/>, one clamp cheaper; positive lanes give an unspecified value.</summary>
    static abstract TVector ExpNonPositive(TVector x);

    /// <summary>e^x − 1 for x ≤ 0, accurate near 0; positive lanes give an unspecified value (ELU keeps x there).</summary>
    static abstract TVector ExpM1NonPositive(TVector x);

    /// <summary>2^n for integer-valued lanes n within the normal exponent range of <typeparamref name="T"/>, built from the bits (<see cref="PowerOfTwoBits"/>).</summary>
    static abstract TVector PowerOfTwo(TVector n);

    /// <summary>x·2^n for integer-valued lanes n in [-150, 129], rounded once (into the subnormals, or to ∞).</summary>
    static abstract TVector ScaleB(TVector x, TVector n);

    /// <summary>max(low, x) by the hardware's max, ordered so that NaN lanes of x pass through.</summary>
    static abstract TVector AtLeast(TVector x, TVector low);

    /// <summary>min(x, high) by the hardware's min, ordered so that NaN lanes of x pass through.</summary>
    static abstract TVector AtMost(TVector x, TVector high);

    /// <summary>x clamped to [low, high] by the hardware's min and max, ordered so that NaN lanes of x pass through.</summary>
    static abstract TVector Clamp(TVector x, TVector low, TVector high);
    static abstract TVector Log(TVector x);

    /// <summary>The larger lane, NaN if either is NaN (IEEE maximum, as <see cref="Math.Max(double, double)"/>).</summary>
    static abstract TVector Max(TVector x, TVector y);

    /// <summary>Lane mask of x &gt; y (all bits set where true).</summary>
    static abstract TVector GreaterThan(TVector x, TVector y);

    /// <summary>Lane mask of x &lt; y (all bits set where true).</summary>
    static abstract TVector LessThan(TVector x, TVector y);
    static abstract TVector Select(TVector mask, TVector whenTrue, TVector whenFalse);

    /// <summary>x with the sign bit of <paramref name="sign"/>.</summary>
    static abstract TVector CopySign(TVector x, TVector sign);

    /// <summary>x with every subnormal lane replaced by a zero of its sign (what x86's flush-to-zero mode does to results), from the exponent bits.</summary>
    static abstract TVector FlushSubnormals(TVector x);
}

internal readonly partial struct Width128<T> : IVectorWidth<T, Vector128<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported;
    public static int Count => Vector128<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(ref T source, nuint index) => Vector128.LoadUnsafe(ref source, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Broadcast(T value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Constant(double value) =>
        typeof(T) == typeof(float) ? Vector128.Create((float)value).As<float, T>() : Vector128.Create(value).As<double, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Apply<TOperator>(in TOperator op, Vector128<T> x) where TOperator : struct, IUnaryOperator<T> => op.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Apply<TOperator>(in TOperator op, Vector128<T> x, Vector128<T> y) where TOperator : struct, IBinaryOperator<T> => op.Invoke(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Apply<TOperator>(in TOperator op, Vector128<T> x, Vector128<T> y, Vector128<T> z) where TOperator : struct, ITernaryOperator<T> => op.Invoke(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Apply<TOperator>(in TOperator op, Vector128<T> p, Vector128<T> t, out Vector128<T> gradient) where TOperator : struct, ILossOperator<T> => op.Invoke(p, t, out gradient);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Reduce<TOperator>(Vector128<T> x) where TOperator : struct, IAggregationOperator<T> => TOperator.Reduce(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> KeepLast(Vector128<T> x, int trailing, T identity) =>
        Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(Vector128<T>.Indices, Vector128.Create(T.CreateTruncating(Count - trailing))), x, Vector128.Create(identity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Add(Vector128<T> x, Vector128<T> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Subtract(Vector128<T> x, Vector128<T> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Multiply(Vector128<T> x, Vector128<T> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Divide(Vector128<T> x, Vector128<T> y) => x / y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> MultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> z) => VectorMath.MultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> FusedMultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> z) => VectorMath.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Abs(Vector128<T> x) => Vector128.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Negate(Vector128<T> x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Sqrt(Vector128<T> x) => Vector128.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Exp(Vector128<T> x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> ExpNonPositive(Vector128<T> x) => VectorMath.ExpNonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> ExpM1NonPositive(Vector128<T> x) => VectorMath.ExpM1NonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> PowerOfTwo(Vector128<T> n) =>
        typeof(T) == typeof(float)
            ? Vector128.ShiftLeft((n.AsSingle() + Vector128.Create(PowerOfTwoBits.Single)).AsInt32(), 23).As<int, T>()
            : Vector128.ShiftLeft((n.AsDouble() + Vector128.Create(PowerOfTwoBits.Double)).AsInt64(), 52).As<long, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Log(Vector128<T> x) => VectorMath.Log(x);
    // vscalefps/pd: one instruction, one rounding, overflow and underflow handled by the hardware.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ScaleB(Vector128<T> x, Vector128<T> n) =>
        !Avx512F.VL.IsSupported ? VectorMath.ScaleBByHalves<T, Width128<T>, Vector128<T>>(x, n)
        : typeof(T) == typeof(float) ? Avx512F.VL.Scale(x.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.VL.Scale(x.AsDouble(), n.AsDouble()).As<double, T>();
    // maxps/minps return their second operand when either is NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> AtLeast(Vector128<T> x, Vector128<T> low) => Vector128.MaxNative(low, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> AtMost(Vector128<T> x, Vector128<T> high) => Vector128.MinNative(high, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Clamp(Vector128<T> x, Vector128<T> low, Vector128<T> high) => Vector128.MinNative(high, Vector128.MaxNative(low, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Max(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> GreaterThan(Vector128<T> x, Vector128<T> y) => Vector128.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> LessThan(Vector128<T> x, Vector128<T> y) => Vector128.LessThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Select(Vector128<T> mask, Vector128<T> whenTrue, Vector128<T> whenFalse) => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> CopySign(Vector128<T> x, Vector128<T> sign) => Vector128.CopySign(x, sign);
    // Exponent bits all zero (a zero or a subnormal): clear every bit but the sign.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FlushSubnormals(Vector128<T> x) =>
        typeof(T) == typeof(float)
            ? Vector128.AndNot(x.AsUInt32(), Vector128.Equals(x.AsUInt32() & Vector128.Create(0x7F80_0000u), Vector128<uint>.Zero)
                & Vector128.Create(0x7FFF_FFFFu)).As<uint, T>()
            : Vector128.AndNot(x.AsUInt64(), Vector128.Equals(x.AsUInt64() & Vector128.Create(0x7FF0_0000_0000_0000ul), Vector128<ulong>.Zero)
                & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFul)).As<ulong, T>();
}

internal readonly partial struct Width256<T> : IVectorWidth<T, Vector256<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;
    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(ref T source, nuint index) => Vector256.LoadUnsafe(ref source, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Broadcast(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Constant(double value) =>
        typeof(T) == typeof(float) ? Vector256.Create((float)value).As<float, T>() : Vector256.Create(value).As<double, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Apply<TOperator>(in TOperator op, Vector256<T> x) where TOperator : struct, IUnaryOperator<T> => op.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Apply<TOperator>(in TOperator op, Vector256<T> x, Vector256<T> y) where TOperator : struct, IBinaryOperator<T> => op.Invoke(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Apply<TOperator>(in TOperator op, Vector256<T> x, Vector256<T> y, Vector256<T> z) where TOperator : struct, ITernaryOperator<T> => op.Invoke(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Apply<TOperator>(in TOperator op, Vector256<T> p, Vector256<T> t, out Vector256<T> gradient) where TOperator : struct, ILossOperator<T> => op.Invoke(p, t, out gradient);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Reduce<TOperator>(Vector256<T> x) where TOperator : struct, IAggregationOperator<T> => TOperator.Reduce(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> KeepLast(Vector256<T> x, int trailing, T identity) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(Count - trailing))), x, Vector256.Create(identity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Subtract(Vector256<T> x, Vector256<T> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Multiply(Vector256<T> x, Vector256<T> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Divide(Vector256<T> x, Vector256<T> y) => x / y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> MultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> z) => VectorMath.MultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> FusedMultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> z) => VectorMath.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Abs(Vector256<T> x) => Vector256.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Negate(Vector256<T> x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Sqrt(Vector256<T> x) => Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Exp(Vector256<T> x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> ExpNonPositive(Vector256<T> x) => VectorMath.ExpNonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> ExpM1NonPositive(Vector256<T> x) => VectorMath.ExpM1NonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> PowerOfTwo(Vector256<T> n) =>
        typeof(T) == typeof(float)
            ? Vector256.ShiftLeft((n.AsSingle() + Vector256.Create(PowerOfTwoBits.Single)).AsInt32(), 23).As<int, T>()
            : Vector256.ShiftLeft((n.AsDouble() + Vector256.Create(PowerOfTwoBits.Double)).AsInt64(), 52).As<long, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Log(Vector256<T> x) => VectorMath.Log(x);
    // vscalefps/pd: one instruction, one rounding, overflow and underflow handled by the hardware.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ScaleB(Vector256<T> x, Vector256<T> n) =>
        !Avx512F.VL.IsSupported ? VectorMath.ScaleBByHalves<T, Width256<T>, Vector256<T>>(x, n)
        : typeof(T) == typeof(float) ? Avx512F.VL.Scale(x.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.VL.Scale(x.AsDouble(), n.AsDouble()).As<double, T>();
    // maxps/minps return their second operand when either is NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> AtLeast(Vector256<T> x, Vector256<T> low) => Vector256.MaxNative(low, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> AtMost(Vector256<T> x, Vector256<T> high) => Vector256.MinNative(high, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Clamp(Vector256<T> x, Vector256<T> low, Vector256<T> high) => Vector256.MinNative(high, Vector256.MaxNative(low, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Max(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> GreaterThan(Vector256<T> x, Vector256<T> y) => Vector256.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> LessThan(Vector256<T> x, Vector256<T> y) => Vector256.LessThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Select(Vector256<T> mask, Vector256<T> whenTrue, Vector256<T> whenFalse) => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> CopySign(Vector256<T> x, Vector256<T> sign) => Vector256.CopySign(x, sign);
    // Exponent bits all zero (a zero or a subnormal): clear every bit but the sign.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FlushSubnormals(Vector256<T> x) =>
        typeof(T) == typeof(float)
            ? Vector256.AndNot(x.AsUInt32(), Vector256.Equals(x.AsUInt32() & Vector256.Create(0x7F80_0000u), Vector256<uint>.Zero)
                & Vector256.Create(0x7FFF_FFFFu)).As<uint, T>()
            : Vector256.AndNot(x.AsUInt64(), Vector256.Equals(x.AsUInt64() & Vector256.Create(0x7FF0_0000_0000_0000ul), Vector256<ulong>.Zero)
                & Vector256.Create(0x7FFF_FFFF_FFFF_FFFFul)).As<ulong, T>();
}

internal readonly partial struct Width512<T> : IVectorWidth<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint index) => Vector512.LoadUnsafe(ref source, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Broadcast(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Constant(double value) =>
        typeof(T) == typeof(float) ? Vector512.Create((float)value).As<float, T>() : Vector512.Create(value).As<double, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Apply<TOperator>(in TOperator op, Vector512<T> x) where TOperator : struct, IUnaryOperator<T> => op.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Apply<TOperator>(in TOperator op, Vector512<T> x, Vector512<T> y) where TOperator : struct, IBinaryOperator<T> => op.Invoke(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Apply<TOperator>(in TOperator op, Vector512<T> x, Vector512<T> y, Vector512<T> z) where TOperator : struct, ITernaryOperator<T> => op.Invoke(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Apply<TOperator>(in TOperator op, Vector512<T> p, Vector512<T> t, out Vector512<T> gradient) where TOperator : struct, ILossOperator<T> => op.Invoke(p, t, out gradient);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Reduce<TOperator>(Vector512<T> x) where TOperator : struct, IAggregationOperator<T> => TOperator.Reduce(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> KeepLast(Vector512<T> x, int trailing, T identity) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(Count - trailing))), x, Vector512.Create(identity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Subtract(Vector512<T> x, Vector512<T> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Multiply(Vector512<T> x, Vector512<T> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Divide(Vector512<T> x, Vector512<T> y) => x / y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> z) => VectorMath.MultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> FusedMultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> z) => VectorMath.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Abs(Vector512<T> x) => Vector512.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Negate(Vector512<T> x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Sqrt(Vector512<T> x) => Vector512.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Exp(Vector512<T> x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> ExpNonPositive(Vector512<T> x) => VectorMath.ExpNonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> ExpM1NonPositive(Vector512<T> x) => VectorMath.ExpM1NonPositive(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> PowerOfTwo(Vector512<T> n) =>
        typeof(T) == typeof(float)
            ? Vector512.ShiftLeft((n.AsSingle() + Vector512.Create(PowerOfTwoBits.Single)).AsInt32(), 23).As<int, T>()
            : Vector512.ShiftLeft((n.AsDouble() + Vector512.Create(PowerOfTwoBits.Double)).AsInt64(), 52).As<long, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Log(Vector512<T> x) => VectorMath.Log(x);
    // vscalefps/pd: one instruction, one rounding, overflow and underflow handled by the hardware.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleB(Vector512<T> x, Vector512<T> n) =>
        !Avx512F.IsSupported ? VectorMath.ScaleBByHalves<T, Width512<T>, Vector512<T>>(x, n)
        : typeof(T) == typeof(float) ? Avx512F.Scale(x.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.Scale(x.AsDouble(), n.AsDouble()).As<double, T>();
    // maxps/minps return their second operand when either is NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> AtLeast(Vector512<T> x, Vector512<T> low) => Vector512.MaxNative(low, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> AtMost(Vector512<T> x, Vector512<T> high) => Vector512.MinNative(high, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Clamp(Vector512<T> x, Vector512<T> low, Vector512<T> high) => Vector512.MinNative(high, Vector512.MaxNative(low, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Max(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> GreaterThan(Vector512<T> x, Vector512<T> y) => Vector512.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> LessThan(Vector512<T> x, Vector512<T> y) => Vector512.LessThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Select(Vector512<T> mask, Vector512<T> whenTrue, Vector512<T> whenFalse) => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> CopySign(Vector512<T> x, Vector512<T> sign) => Vector512.CopySign(x, sign);
    // Exponent bits all zero (a zero or a subnormal): keep only the sign. A select here, which becomes a test into a mask
    // register and a masked and (the and-not of the narrower widths takes two more instructions on AVX-512).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FlushSubnormals(Vector512<T> x) =>
        typeof(T) == typeof(float)
            ? Vector512.ConditionalSelect(Vector512.Equals(x.AsUInt32() & Vector512.Create(0x7F80_0000u), Vector512<uint>.Zero),
                x.AsUInt32() & Vector512.Create(0x8000_0000u), x.AsUInt32()).As<uint, T>()
            : Vector512.ConditionalSelect(Vector512.Equals(x.AsUInt64() & Vector512.Create(0x7FF0_0000_0000_0000ul), Vector512<ulong>.Zero),
                x.AsUInt64() & Vector512.Create(0x8000_0000_0000_0000ul), x.AsUInt64()).As<ulong, T>();
}

/// <summary>
/// Addends that put n + bias in the low mantissa bits of a float or double (1.5·2^23 and 1.5·2^52 fix the exponent),
/// so that shifting the bits left by the mantissa width leaves exactly the bits of 2^n: no float-to-int conversion.
/// </summary>
internal static class PowerOfTwoBits
{
    public const float Single = 12582912f + 127f;
    public const double Double = 6755399441055744.0 + 1023.0;
}
