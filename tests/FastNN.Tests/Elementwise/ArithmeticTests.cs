using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// Arithmetic.Add against the sum taken in double and rounded once to T (exact for two floats, so bit for bit), at every
/// length up to five vectors of the widest path, at every start offset within a cache line (the kernel aligns its stores),
/// into a separate span and in place over either addend; the guard elements past the span stay untouched.
/// </summary>
public class ArithmeticTests
{
    [Fact]
    public void FloatAddMatchesTheRoundedDoubleSum() => Check<float>();

    [Fact]
    public void DoubleAddMatchesTheRoundedDoubleSum() => Check<double>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(3);
        int line = 64 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        T sentinel = T.CreateTruncating(12345);
        for (int n = 0; n <= 5 * Vector512<T>.Count + 3; n++)
        {
            for (int offset = 0; offset < line; offset += 3)
            {
                T[] x = TestData.Finite<T>(rng, n, 4), y = TestData.Finite<T>(rng, n, 1e-3);
                T[] expected = [.. x.Zip(y, (a, b) => T.CreateTruncating(double.CreateTruncating(a) + double.CreateTruncating(b)))];
                foreach (string into in new[] { "separate", "x", "y" })
                {
                    var buffer = new T[offset + n + 2];
                    Array.Fill(buffer, sentinel);
                    Span<T> d = buffer.AsSpan(offset, n);
                    ReadOnlySpan<T> a = x, b = y;
                    if (into == "x") { x.CopyTo(d); a = d; }
                    if (into == "y") { y.CopyTo(d); b = d; }
                    Arithmetic.Add(a, b, d);
                    Assert.True(expected.AsSpan().SequenceEqual(d), $"{typeof(T).Name} n = {n}, offset {offset}, into {into}");
                    Assert.All(buffer[..offset].Concat(buffer[(offset + n)..]), v => Assert.Equal(sentinel, v));
                }
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        float[] x = new float[8];
        Assert.Throws<ArgumentException>("y", () => Arithmetic.Add<float>(x, new float[7], new float[8]));
        Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(x, new float[8], new float[9]));
        Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(x.AsSpan(0, 4), new float[4], x.AsSpan(1, 4)));
    }
}
