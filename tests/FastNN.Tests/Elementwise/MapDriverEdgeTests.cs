using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// What MapDriverTests leaves out of the three drivers: the ternary driver at every length and offset (into a guarded
/// span and in place over each input), the binary one in place over x and over both inputs, spans whose start is not a
/// multiple of the element size (the alignment hint must give up, not skip elements), special values (NaN, ±∞, −0,
/// subnormals) through every path, an operator that divides or takes a logarithm (the zero-padded lanes of a short span
/// compute 0/0 and log 0, which must stay out of the result), and a two-thread split whose chunks start mid-vector of a
/// misaligned span. Every operator rounds alike on every width and the scalar path (no fused multiply-add, no polynomial),
/// so each element is compared bit for bit with the scalar operator applied alone.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class MapDriverEdgeTests
{
    private const int Guard = 3;

    [Fact]
    public void TernaryMapMatchesTheScalarOperatorEverywhere()
    {
        CheckTernary<float>();
        CheckTernary<double>();
    }

    private static void CheckTernary<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(41);
        int count = Vector512<T>.Count;
        T sentinel = T.CreateTruncating(12345);
        var op = default(MultiplyAddUnfused<T>);
        for (int n = 0; n <= 10 * count; n++)
        {
            for (int offset = 0; offset < count; offset++)
            {
                T[] x = Mixed<T>(rng, n), y = Mixed<T>(rng, n), z = Mixed<T>(rng, n);
                var expected = new T[n];
                for (int i = 0; i < n; i++)
                    expected[i] = op.Invoke(x[i], y[i], z[i]);
                var buffer = new T[offset + n + Guard];
                Span<T> d = buffer.AsSpan(offset, n);
                string what = $"ternary<{typeof(T).Name}> n {n} offset {offset}";

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, z, d, op);
                AssertWritten(buffer, offset, expected, sentinel, what);

                x.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(d, y, z, d, op);
                AssertBits(expected, d, what + " in place over x");

                y.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(x, d, z, d, op);
                AssertBits(expected, d, what + " in place over y");

                z.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(x, y, d, d, op);
                AssertBits(expected, d, what + " in place over z");
            }
        }
    }

    [Fact]
    public void BinaryMapInPlaceOverXAndOverBothInputs()
    {
        CheckBinaryInPlace<float, Quotient<float>>();
        CheckBinaryInPlace<double, Quotient<double>>();
        CheckBinaryInPlace<float, ComputeBoundBinary<float, Quotient<float>>>();
        CheckBinaryInPlace<double, ComputeBoundBinary<double, Quotient<double>>>();
    }

    private static void CheckBinaryInPlace<T, TOperator>()
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
    {
        var rng = new Random(42);
        int count = Vector512<T>.Count;
        for (int n = 0; n <= 3 * count + 1; n++)
        {
            for (int offset = 0; offset < count; offset++)
            {
                T[] x = Mixed<T>(rng, n), y = Mixed<T>(rng, n);
                var buffer = new T[offset + n];
                Span<T> d = buffer.AsSpan(offset, n);
                string what = $"{typeof(TOperator).Name}<{typeof(T).Name}> n {n} offset {offset}";

                x.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(d, y, d, default(TOperator));
                AssertBits([.. x.Zip(y, default(TOperator).Invoke)], d, what + " in place over x");

                x.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(d, d, d, default(TOperator));
                AssertBits([.. x.Select(v => default(TOperator).Invoke(v, v))], d, what + " in place over x and y");
            }
        }
    }

    /// <summary>
    /// A short span's padded lanes hold 0, so x/y computes 0/0 and log(x) computes log 0 = −∞ there: neither may reach an
    /// element or the memory around the span, on any length up to three vectors and one.
    /// </summary>
    [Fact]
    public void DivisionAndLogarithmKeepThePaddedLanesToThemselves()
    {
        CheckDivisionAndLogarithm<float>();
        CheckDivisionAndLogarithm<double>();
    }

    private static void CheckDivisionAndLogarithm<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(43);
        int count = Vector512<T>.Count;
        T sentinel = T.CreateTruncating(12345);
        for (int n = 0; n <= 3 * count + 1; n++)
        {
            for (int offset = 0; offset < Vector128<T>.Count; offset++)
            {
                T[] x = Mixed<T>(rng, n), y = Mixed<T>(rng, n);
                var buffer = new T[offset + n + Guard];
                Span<T> d = buffer.AsSpan(offset, n);
                string what = $"<{typeof(T).Name}> n {n} offset {offset}";

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, d, default(Quotient<T>));
                AssertWritten(buffer, offset, [.. x.Zip(y, default(Quotient<T>).Invoke)], sentinel, "x / y" + what);

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, x, d, default(QuotientPlus<T>));
                AssertWritten(buffer, offset, [.. x.Select((v, i) => default(QuotientPlus<T>).Invoke(v, y[i], v))], sentinel, "x / y + x" + what);

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, d, default(LogOfExponent<T>));
                AssertWritten(buffer, offset, [.. x.Select(default(LogOfExponent<T>).Invoke)], sentinel, "log2 exponent" + what);
            }
        }
    }

    /// <summary>
    /// Spans that start 1 to sizeof(T) − 1 bytes past an element boundary: no store can be vector-aligned, and the
    /// drivers must still cover every element exactly once (unary, binary, ternary, both operator kinds).
    /// </summary>
    [Fact]
    public void SpansMisalignedToTheElementSizeAreMappedWhole()
    {
        CheckMisaligned<float>();
        CheckMisaligned<double>();
    }

    private static void CheckMisaligned<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(44);
        int size = Unsafe.SizeOf<T>();
        int count = Vector512<T>.Count;
        T sentinel = T.CreateTruncating(12345);
        foreach (int n in new[] { 0, 1, 3, count - 1, count, count + 1, 3 * count + 1, 8 * count, 8 * count + 3, 11 * count - 1 })
        {
            for (int shift = 1; shift < size; shift++)
            {
                T[] x = Mixed<T>(rng, n), y = Mixed<T>(rng, n), z = Mixed<T>(rng, n);
                // Room for the guards on both sides; the span starts shift bytes past an element of the backing array.
                var bytes = new byte[(n + 2 * Guard + 2) * size];
                Span<T> whole = MemoryMarshal.Cast<byte, T>(bytes.AsSpan(shift, (n + 2 * Guard + 1) * size));
                Span<T> d = whole.Slice(Guard, n);
                string what = $"<{typeof(T).Name}> n {n}, {shift} bytes past an element";

                whole.Fill(sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, d, default(ComputeBoundUnary<T, Half<T>>));
                AssertWritten(whole, Guard, [.. x.Select(default(Half<T>).Invoke)], sentinel, "unary compute-bound" + what);

                whole.Fill(sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, d, default(Half<T>));
                AssertWritten(whole, Guard, [.. x.Select(default(Half<T>).Invoke)], sentinel, "unary" + what);

                whole.Fill(sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, d, default(Quotient<T>));
                AssertWritten(whole, Guard, [.. x.Zip(y, default(Quotient<T>).Invoke)], sentinel, "binary" + what);

                whole.Fill(sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, z, d, default(MultiplyAddUnfused<T>));
                AssertWritten(whole, Guard, [.. x.Select((v, i) => default(MultiplyAddUnfused<T>).Invoke(v, y[i], z[i]))], sentinel, "ternary" + what);

                // In place on the misaligned span itself.
                x.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(d, y, d, default(ComputeBoundBinary<T, Quotient<T>>));
                AssertBits([.. x.Zip(y, default(Quotient<T>).Invoke)], d, "binary in place" + what);
            }
        }
    }

    /// <summary>
    /// An output that overlaps an input at a byte offset that is not a multiple of the element size is a partial overlap
    /// like any other: the ArgumentException names the output (MemoryExtensions.Overlaps with an element offset throws its
    /// own, nameless, exception for such spans).
    /// </summary>
    [Fact]
    public void AnOverlapMisalignedToTheElementSizeIsRefusedByName()
    {
        var bytes = new byte[64 * sizeof(double) + 8];
        float[] other = new float[32];
        Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, 128)), other, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(2, 128))));
        Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(other, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(6, 128)), MemoryMarshal.Cast<byte, float>(bytes.AsSpan(3, 128))));
        Assert.Throws<ArgumentException>("y", () => Activations.Sigmoid<double>(MemoryMarshal.Cast<byte, double>(bytes.AsSpan(0, 256)), MemoryMarshal.Cast<byte, double>(bytes.AsSpan(4, 256))));
        Assert.Throws<ArgumentException>("dx", () => Activations.SiluBackward<double>(new double[32], MemoryMarshal.Cast<byte, double>(bytes.AsSpan(8, 256)), MemoryMarshal.Cast<byte, double>(bytes.AsSpan(1, 256))));
        Assert.Throws<ArgumentException>("gradient", () => LossKernels.MeanSquaredError<float>(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, 128)), other, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(1, 128))));
    }

    /// <summary>
    /// Arithmetic.Add, now through the binary map, with special values at every length to three vectors and one and
    /// every offset within a vector: IEEE addition element by element (−0 + −0 = −0, ∞ − ∞ = NaN, subnormals kept).
    /// </summary>
    [Fact]
    public void AddKeepsSpecialValuesOnEveryPath()
    {
        CheckAddSpecials<float>();
        CheckAddSpecials<double>();
    }

    private static void CheckAddSpecials<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(45);
        int count = Vector512<T>.Count;
        for (int n = 0; n <= 3 * count + 1; n++)
        {
            for (int offset = 0; offset < count; offset++)
            {
                T[] x = Mixed<T>(rng, n), y = Mixed<T>(rng, n);
                var expected = new T[n];
                for (int i = 0; i < n; i++)
                    expected[i] = x[i] + y[i];
                var buffer = new T[offset + n];
                Span<T> d = buffer.AsSpan(offset, n);
                Arithmetic.Add<T>(x, y, d);
                AssertBits(expected, d, $"add<{typeof(T).Name}> n {n} offset {offset}");
                y.CopyTo(d);
                Arithmetic.Add<T>(x, d, d);
                AssertBits(expected, d, $"add<{typeof(T).Name}> in place over y, n {n} offset {offset}");
            }
        }
    }

    /// <summary>
    /// A split map whose span starts mid-vector: every chunk of the two-thread split then starts and ends mid-vector too,
    /// with its own head and tail; bit for bit the one-thread map and the scalar operator, in place as well.
    /// </summary>
    [Fact]
    public void TwoThreadSplitsOfAMisalignedSpanEqualOneThread()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            CheckSplit<float>(saved);
            CheckSplit<double>(saved);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    private static void CheckSplit<T>(int saved) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(46);
        const int Offset = 5;
        int n = ParallelMap.Threshold + 2 * ParallelMap.Chunk + 7;
        T[] x = Mixed<T>(rng, n + Offset), y = Mixed<T>(rng, n + Offset);
        T[] expected = [.. x.Zip(y, default(Quotient<T>).Invoke).Skip(Offset)];
        var op = default(ComputeBoundBinary<T, Quotient<T>>);
        foreach (int threads in new[] { 1, 2 })
        {
            Parallelism.MaxThreads = threads;
            var d = new T[n + Offset];
            FastNN.Intrinsics.Elementwise.Map(x.AsSpan(Offset), y.AsSpan(Offset), d.AsSpan(Offset), op);
            AssertBits(expected, d.AsSpan(Offset), $"<{typeof(T).Name}> split on {threads} threads");
            T[] inPlace = (T[])x.Clone();
            FastNN.Intrinsics.Elementwise.Map(inPlace.AsSpan(Offset), y.AsSpan(Offset), inPlace.AsSpan(Offset), op);
            AssertBits(expected, inPlace.AsSpan(Offset), $"<{typeof(T).Name}> split in place on {threads} threads");
        }
        Parallelism.MaxThreads = saved;
    }

    public static TheoryData<string> Names => [.. ActivationCases.Names];

    /// <summary>
    /// ShortSpanTests' rule for the derivatives (the binary driver's short path): every activation's backward pass over
    /// spans of 1 to 40 elements at three offsets, bit for bit what it gives in a span of 64, special values included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void DerivativesDoNotDependOnTheSpanLength(string name)
    {
        CheckBackwardLengths<float>(name);
        CheckBackwardLengths<double>(name);
    }

    private static void CheckBackwardLengths<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(name.Length + 47);
        T[] saved = Mixed<T>(rng, 64), dy = Mixed<T>(rng, 64);
        if (name is "sigmoid" or "tanh")
            for (int i = 0; i < saved.Length; i++)
                saved[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1); // a saved output lies in (-1, 1)
        var whole = new T[64];
        ActivationBackwardTests.Backward<T>(name, saved, dy, whole);
        foreach (int offset in new[] { 0, 3, 17 })
        {
            for (int length = 1; length <= 40; length++)
            {
                var part = new T[length];
                ActivationBackwardTests.Backward<T>(name, saved.AsSpan(offset, length), dy.AsSpan(offset, length), part);
                AssertBits(whole.AsSpan(offset, length), part, $"{name} backward<{typeof(T).Name}> in a span of {length} at {offset}");
            }
        }
    }

    /// <summary>ShortSpanTests' rule with special values (NaN, ±∞, ±0, subnormals, the extremes) among the inputs.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void SpecialValuesDoNotDependOnTheSpanLength(string name)
    {
        CheckForwardLengths<float>(name);
        CheckForwardLengths<double>(name);
    }

    private static void CheckForwardLengths<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(name.Length + 48);
        T[] x = Mixed<T>(rng, 64);
        var whole = new T[64];
        ActivationCases.Forward<T>(name, x, whole);
        foreach (int offset in new[] { 0, 3, 17 })
        {
            for (int length = 1; length <= 40; length++)
            {
                var part = new T[length];
                ActivationCases.Forward<T>(name, x.AsSpan(offset, length), part);
                AssertBits(whole.AsSpan(offset, length), part, $"{name}<{typeof(T).Name}> in a span of {length} at {offset}");
            }
        }
    }

    /// <summary>Finite values, with about one in four a special: NaN, ±∞, ±0, subnormals, the extremes, ±1.</summary>
    private static T[] Mixed<T>(Random rng, int length) where T : IFloatingPointIeee754<T>
    {
        T[] specials = TestData.Specials<T>();
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : T.CreateTruncating(TestData.Gaussian(rng) * 3);
        return values;
    }

    private static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(SameBits(expected[i], actual[i]), $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }

    /// <summary>Equal bits, any NaN for a NaN (the vector and scalar units may give different NaN payloads).</summary>
    private static bool SameBits<T>(T a, T b) where T : IFloatingPointIeee754<T> =>
        T.IsNaN(a) ? T.IsNaN(b) : a.Equals(b) && T.IsNegative(a) == T.IsNegative(b);

    private static void AssertWritten<T>(Span<T> buffer, int start, T[] expected, T sentinel, string what) where T : IFloatingPointIeee754<T>
    {
        AssertBits(expected, buffer.Slice(start, expected.Length), what);
        for (int i = 0; i < buffer.Length; i++)
            if (i < start || i >= start + expected.Length)
                Assert.True(SameBits(sentinel, buffer[i]), $"{what}: wrote {buffer[i]:R} at {i - start} relative to the span");
    }

    /// <summary>x·y + z, rounded twice on every width.</summary>
    private readonly struct MultiplyAddUnfused<T> : ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T y, T z) => x * y + z;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> z) => Vector128.Add(Vector128.Multiply(x, y), z);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> z) => Vector256.Add(Vector256.Multiply(x, y), z);
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> z) => Vector512.Add(Vector512.Multiply(x, y), z);
    }

    /// <summary>x / y + z: 0/0 + 0 in a padded lane.</summary>
    private readonly struct QuotientPlus<T> : ITernaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T y, T z) => x / y + z;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> z) => x / y + z;
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> z) => x / y + z;
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> z) => x / y + z;
    }

    /// <summary>x / y: 0/0 in a padded lane.</summary>
    private readonly struct Quotient<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T y) => x / y;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x / y;
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x / y;
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x / y;
    }

    /// <summary>x / 2 (exact but for subnormals, rounded alike everywhere).</summary>
    private readonly struct Half<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static T H => T.CreateTruncating(0.5);
        public static bool Vectorizable => true;
        public T Invoke(T x) => x * H;
        public Vector128<T> Invoke(Vector128<T> x) => x * H;
        public Vector256<T> Invoke(Vector256<T> x) => x * H;
        public Vector512<T> Invoke(Vector512<T> x) => x * H;
    }

    /// <summary>
    /// log₂|x| rounded down, by the exponent bits (−∞ for 0, as log; NaN stays NaN): an exact logarithm that the vector
    /// and scalar forms compute alike, through a branch-free vector form (which takes the padded lanes' log 0 = −∞ too).
    /// </summary>
    private readonly struct LogOfExponent<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => T.IsNaN(x) ? x : x == T.Zero ? T.NegativeInfinity : T.CreateTruncating(T.ILogB(x));
        public Vector128<T> Invoke(Vector128<T> x) => Lanes(x);
        public Vector256<T> Invoke(Vector256<T> x) => Lanes(x);
        public Vector512<T> Invoke(Vector512<T> x) => Lanes(x);

        private TVector Lanes<TVector>(TVector x) where TVector : struct
        {
            TVector result = x;
            Span<T> lanes = MemoryMarshal.Cast<TVector, T>(MemoryMarshal.CreateSpan(ref result, 1));
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = Invoke(lanes[i]);
            return result;
        }
    }
}
