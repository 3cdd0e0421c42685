using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>Reductions against double sums, with tolerances scaled by the length and the magnitude summed.</summary>
public class ReductionTests
{
    [Property(MaxTest = 40)]
    public void SumsMatchDoubleSums(int seed)
    {
        Sums<float>(seed);
        Sums<double>(seed);
    }

    private static void Sums<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int n = TestData.Length(rng) * (1 + rng.Next(10));
        T[] x = TestData.Finite<T>(rng, n, 10);
        double sum = 0, abs = 0, squares = 0, maxAbs = 0;
        foreach (T v in x)
        {
            double d = Tolerance.D(v);
            sum += d;
            abs += Math.Abs(d);
            squares += d * d;
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
        }
        // Recursive summation: |error| ≤ (n − 1)·ε·Σ|x| (plus one rounding per square).
        Tolerance.AssertClose(sum, Reductions.Sum<T>(x), n + 1, "Sum", abs);
        Tolerance.AssertClose(squares, Reductions.SumOfSquares<T>(x), n + 2, "SumOfSquares", squares);
        Assert.Equal(maxAbs, Tolerance.D(Reductions.MaxAbs<T>(x)));
        Assert.True(Reductions.AllFinite<T>(x));

        // The result does not depend on where the data sits (no alignment of reductions).
        var shifted = new T[n + 7];
        x.CopyTo(shifted, 7);
        Assert.Equal(Reductions.Sum<T>(x), Reductions.Sum<T>(shifted.AsSpan(7)));
        Assert.Equal(Reductions.SumOfSquares<T>(x), Reductions.SumOfSquares<T>(shifted.AsSpan(7)));

        if (n > 0)
        {
            int at = rng.Next(n);
            T[] bad = (T[])x.Clone();
            bad[at] = rng.Next(3) switch { 0 => T.NaN, 1 => T.PositiveInfinity, _ => T.NegativeInfinity };
            Assert.False(Reductions.AllFinite<T>(bad), $"non-finite at {at} of {n} not seen");
            Assert.True(T.IsNaN(Reductions.MaxAbs<T>(bad)) == T.IsNaN(bad[at]));
        }
    }

    [Fact]
    public void EmptySpans()
    {
        Assert.Equal(0f, Reductions.Sum<float>([]));
        Assert.Equal(0.0, Reductions.SumOfSquares<double>([]));
        Assert.Equal(0f, Reductions.MaxAbs<float>([]));
        Assert.True(Reductions.AllFinite<double>([]));
    }

    [Property(MaxTest = 40)]
    public void SumColumnsAccumulates(int seed)
    {
        SumColumns<float>(seed);
        SumColumns<double>(seed);
    }

    private static void SumColumns<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int rows = TestData.Size(rng, 40), cols = TestData.Size(rng, 140);
        T[] x = TestData.Finite<T>(rng, rows * cols, 5);
        T[] sums = TestData.Finite<T>(rng, cols, 5);
        T[] before = (T[])sums.Clone();
        Reductions.SumColumns<T>(x, rows, cols, sums);
        for (int c = 0; c < cols; c++)
        {
            double expected = Tolerance.D(before[c]), abs = Math.Abs(expected);
            for (int r = 0; r < rows; r++)
            {
                expected += Tolerance.D(x[r * cols + c]);
                abs += Math.Abs(Tolerance.D(x[r * cols + c]));
            }
            Tolerance.AssertClose(expected, sums[c], rows + 1, $"column {c} of [{rows}, {cols}]", abs);
        }
        // Rows are added in order: the same bits as a plain loop in T.
        T[] plain = (T[])before.Clone();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                plain[c] += x[r * cols + c];
        Assert.Equal(plain, sums);
    }
}
