using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// The unary and binary maps' two paths, the memory-bound one (first and last vectors inlined) and the compute-bound one
/// (computed out of line), through operators whose vector and scalar forms round alike (a product and a sum, no fused
/// multiply-add), so that every element can be compared bit for bit with the operator applied one element at a time: every
/// length up to ten vectors of the widest path, at every start offset within a vector (the loop aligns its stores and
/// leaves a head, a tail, both or neither), into a separate span with guards around it and exactly in place.
/// </summary>
public class MapDriverTests
{
    [Fact]
    public void MemoryBoundMapsMatchTheScalarOperator()
    {
        Check<float, AffineOperator<float>, WeightedSumOperator<float>>();
        Check<double, AffineOperator<double>, WeightedSumOperator<double>>();
    }

    [Fact]
    public void ComputeBoundMapsMatchTheScalarOperator()
    {
        Check<float, ComputeBoundUnary<float, AffineOperator<float>>, ComputeBoundBinary<float, WeightedSumOperator<float>>>();
        Check<double, ComputeBoundUnary<double, AffineOperator<double>>, ComputeBoundBinary<double, WeightedSumOperator<double>>>();
    }

    private static void Check<T, TUnary, TBinary>()
        where T : unmanaged, IFloatingPointIeee754<T>
        where TUnary : struct, IUnaryOperator<T>
        where TBinary : struct, IBinaryOperator<T>
    {
        const int Guard = 3;
        var rng = new Random(31);
        int count = Vector512<T>.Count;
        T sentinel = T.CreateTruncating(12345);
        for (int n = 0; n <= 10 * count; n++)
        {
            for (int offset = 0; offset < count; offset++)
            {
                T[] x = TestData.Finite<T>(rng, n, 3), y = TestData.Finite<T>(rng, n, 3);
                var unary = new T[n];
                var binary = new T[n];
                for (int i = 0; i < n; i++)
                {
                    unary[i] = default(TUnary).Invoke(x[i]);
                    binary[i] = default(TBinary).Invoke(x[i], y[i]);
                }
                var buffer = new T[offset + n + Guard];
                Span<T> d = buffer.AsSpan(offset, n);

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, d, default(TUnary));
                AssertWritten(buffer, offset, unary, sentinel, $"unary {typeof(TUnary).Name}<{typeof(T).Name}> n {n} offset {offset}");

                Array.Fill(buffer, sentinel);
                FastNN.Intrinsics.Elementwise.Map(x, y, d, default(TBinary));
                AssertWritten(buffer, offset, binary, sentinel, $"binary {typeof(TBinary).Name}<{typeof(T).Name}> n {n} offset {offset}");

                x.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(d, d, default(TUnary));
                Assert.True(d.SequenceEqual(unary), $"unary in place, n {n} offset {offset}");

                y.CopyTo(d);
                FastNN.Intrinsics.Elementwise.Map(x, d, d, default(TBinary));
                Assert.True(d.SequenceEqual(binary), $"binary in place over y, n {n} offset {offset}");
            }
        }
    }

    private static void AssertWritten<T>(T[] buffer, int start, T[] expected, T sentinel, string what) where T : IEquatable<T>
    {
        Assert.True(buffer.AsSpan(start, expected.Length).SequenceEqual(expected), what);
        Assert.True(buffer.AsSpan(0, start).IndexOfAnyExcept(sentinel) < 0, what + ": wrote before the span");
        Assert.True(buffer.AsSpan(start + expected.Length).IndexOfAnyExcept(sentinel) < 0, what + ": wrote after the span");
    }

    /// <summary>0.75·x + 2: a multiply and an add, each rounded once on every width.</summary>
    private readonly struct AffineOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static T A => T.CreateTruncating(0.75);
        private static T B => T.CreateTruncating(2);
        public static bool Vectorizable => true;
        public T Invoke(T x) => x * A + B;
        public Vector128<T> Invoke(Vector128<T> x) => x * A + Vector128.Create(B);
        public Vector256<T> Invoke(Vector256<T> x) => x * A + Vector256.Create(B);
        public Vector512<T> Invoke(Vector512<T> x) => x * A + Vector512.Create(B);
    }

    /// <summary>0.5·x − y</summary>
    private readonly struct WeightedSumOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static T A => T.CreateTruncating(0.5);
        public static bool Vectorizable => true;
        public T Invoke(T x, T y) => x * A - y;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x * A - y;
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x * A - y;
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x * A - y;
    }
}
