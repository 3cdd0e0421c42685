using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// The drivers' remainder, alignment and aliasing rules, through exact kernels (ReLU, leaky ReLU, the bias add,
/// ReLU's derivative) so that every element can be compared bit for bit with a plain loop.
/// </summary>
public class DriverTests
{
    private const int Guard = 3;

    /// <summary>Every length up to 10 vectors of the widest path, at every start offset within a vector.</summary>
    [Fact]
    public void EveryLengthAndOffsetMatchesAPlainLoop()
    {
        CheckLengthsAndOffsets<float>();
        CheckLengthsAndOffsets<double>();
    }

    private static void CheckLengthsAndOffsets<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        int count = Vector512<T>.Count;
        T sentinel = T.CreateTruncating(12345);
        T slope = T.CreateTruncating(0.25); // exact products
        for (int n = 0; n <= 10 * count; n++)
        {
            for (int offset = 0; offset < count; offset++)
            {
                T[] source = TestData.Finite<T>(rng, n + offset, 3);
                T[] dySource = TestData.Finite<T>(rng, n + offset, 3);
                ReadOnlySpan<T> x = source.AsSpan(offset, n), dy = dySource.AsSpan(offset, n);
                var buffer = new T[n + offset + 2 * Guard];
                Span<T> y = buffer.AsSpan(Guard + offset, n);

                var expected = new T[n];
                buffer.AsSpan().Fill(sentinel);
                Activations.Relu(x, y);
                for (int i = 0; i < n; i++)
                    expected[i] = x[i] > T.Zero ? x[i] : T.Zero;
                AssertWritten(buffer, expected, sentinel, Guard + offset, "relu", offset);

                buffer.AsSpan().Fill(sentinel);
                Activations.LeakyRelu(x, y, slope);
                for (int i = 0; i < n; i++)
                    expected[i] = x[i] > T.Zero ? x[i] : slope * x[i];
                AssertWritten(buffer, expected, sentinel, Guard + offset, "leaky relu", offset);

                buffer.AsSpan().Fill(sentinel);
                Activations.ReluBackward(x, dy, y);
                for (int i = 0; i < n; i++)
                    expected[i] = x[i] > T.Zero ? dy[i] : T.Zero;
                AssertWritten(buffer, expected, sentinel, Guard + offset, "relu backward", offset);

                if (n == 0)
                    continue;
                // A ternary accumulation (PReLU's per-feature slope gradient: one "row" of n features).
                T[] acc = TestData.Finite<T>(rng, n, 1);
                for (int i = 0; i < n; i++)
                    expected[i] = acc[i] + (x[i] > T.Zero ? T.Zero : x[i] * dy[i]);
                var slopes = Enumerable.Repeat(slope, n).ToArray();
                var dx = new T[n];
                Activations.PReluBackward(x, dy, slopes, n, dx, acc.AsSpan());
                Assert.True(expected.AsSpan().SequenceEqual(acc), $"prelu slope gradient, n {n}, offset {offset}");
            }
        }
    }

    /// <summary>The span at start holds expected bit for bit, and every element around it still holds the sentinel.</summary>
    private static void AssertWritten<T>(T[] buffer, T[] expected, T sentinel, int start, string what, int offset) where T : IEquatable<T>
    {
        Assert.True(buffer.AsSpan(start, expected.Length).SequenceEqual(expected), $"{what}<{typeof(T).Name}>: n {expected.Length}, offset {offset}");
        Assert.True(buffer.AsSpan(0, start).IndexOfAnyExcept(sentinel) < 0, $"{what}: wrote before the span (n {expected.Length}, offset {offset})");
        Assert.True(buffer.AsSpan(start + expected.Length).IndexOfAnyExcept(sentinel) < 0, $"{what}: wrote after the span (n {expected.Length}, offset {offset})");
    }

    /// <summary>Exactly aliased input and output (x and y the same span) give the out-of-place result for every length and offset.</summary>
    [Fact]
    public void ExactInPlaceEqualsOutOfPlace()
    {
        var rng = new Random(12);
        for (int n = 0; n <= 300; n++)
        {
            int offset = n % 16;
            float[] source = TestData.Values<float>(rng, n + offset);
            float[] outOfPlace = new float[n];
            float[] inPlace = (float[])source.Clone();
            foreach (string name in ActivationCases.Names)
            {
                Array.Copy(source, inPlace, source.Length);
                ActivationCases.Forward<float>(name, source.AsSpan(offset, n), outOfPlace);
                ActivationCases.Forward<float>(name, inPlace.AsSpan(offset, n), inPlace.AsSpan(offset, n));
                Assert.Equal(outOfPlace, inPlace.AsSpan(offset, n).ToArray());
            }
        }
    }

    [Fact]
    public void PartialOverlapThrows()
    {
        var buffer = new float[40];
        Assert.Throws<ArgumentException>("y", () => Activations.Sigmoid<float>(buffer.AsSpan(0, 32), buffer.AsSpan(1, 32)));
        Assert.Throws<ArgumentException>("y", () => Activations.Relu<float>(buffer.AsSpan(4, 32), buffer.AsSpan(0, 32)));
        Assert.Throws<ArgumentException>("dx", () => Activations.TanhBackward<float>(buffer.AsSpan(0, 16), buffer.AsSpan(20, 16), buffer.AsSpan(8, 16)));
        Assert.Throws<ArgumentException>("dx", () => Activations.GeluBackward<float>(buffer.AsSpan(0, 16), buffer.AsSpan(17, 16), buffer.AsSpan(18, 16)));
        Assert.Throws<ArgumentException>("y", () => Activations.Softmax<float>(buffer.AsSpan(0, 16), buffer.AsSpan(2, 16), 4, 4));
        Assert.Throws<ArgumentException>("sums", () => Reductions.SumColumns<float>(buffer.AsSpan(0, 16), 4, 4, buffer.AsSpan(12, 4)));
        Assert.Throws<ArgumentException>("bias", () => Rows.AddBias<float>(buffer.AsSpan(0, 16), buffer.AsSpan(4, 4), 4, 4));
    }

    [Fact]
    public void LengthMismatchThrows()
    {
        var a = new double[10];
        var b = new double[11];
        Assert.Throws<ArgumentException>("y", () => Activations.Sigmoid<double>(a, b));
        Assert.Throws<ArgumentException>("dy", () => Activations.SiluBackward<double>(a, b, a));
        Assert.Throws<ArgumentException>("dx", () => Activations.ReluBackward<double>(a, a, b));
        Assert.Throws<ArgumentException>("x", () => Activations.Softmax<double>(a, a, 3, 3));
        Assert.Throws<ArgumentException>("sums", () => Reductions.SumColumns<double>(a, 2, 5, b));
        Assert.Throws<ArgumentException>("bias", () => Rows.AddBias<double>(a, b, 2, 5));
        Assert.Throws<ArgumentException>("slopes", () => Activations.PRelu<double>(a, a, new double[3], 5));
        Assert.Throws<ArgumentException>("x", () => Activations.PRelu<double>(a, a, new double[1], 3));
        Assert.Throws<ArgumentOutOfRangeException>("features", () => Activations.PRelu<double>(a, a, new double[1], 0));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => Activations.LogSoftmax<double>(a, a, -1, 5));
    }

    [Fact]
    public void InvalidParametersThrow()
    {
        var a = new float[4];
        Assert.Throws<ArgumentOutOfRangeException>("beta", () => Activations.Softplus<float>(a, a, 0f, 20f));
        Assert.Throws<ArgumentOutOfRangeException>("threshold", () => Activations.SoftplusBackward<float>(a, a, a, 1f, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("negativeSlope", () => Activations.LeakyRelu<float>(a, a, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("alpha", () => Activations.Elu<float>(a, a, float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>("beta", () => Activation.Softplus(beta: -1));
        Assert.Throws<ArgumentOutOfRangeException>("negativeSlope", () => Activation.LeakyRelu(double.NaN));
    }
}
