using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>Reductions against double sums, with tolerances scaled by the length and the magnitude summed.</summary>
/// <remarks>
/// The sums' bound is the driver's own worst case on this process's path (<see cref="SumRoundings{T}"/>), not the
/// (n − 1)·ε of one running accumulator: at n = 3,000 in float that let a lost element below 8.6 through, where the
/// elements are N(0, 10²). Lengths reach past the driver's 4,096-element blocks, which the old lengths (at most 3,000)
/// never did.
/// </remarks>
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
        // A quarter of the time one to three whole blocks and up to 165 elements either side (whole, one short, one over, ...).
        int n = rng.Next(4) == 0 ? Block * (1 + rng.Next(3)) + TestData.Size(rng, 293) - 128 : TestData.Length(rng) * (1 + rng.Next(10));
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
        // |error| ≤ k·u·Σ|x| for k roundings on any element's way to the result (plus one per square); u = ε/2 leaves room.
        int k = SumRoundings<T>(n);
        Tolerance.AssertClose(sum, Reductions.Sum<T>(x), k, $"Sum of {n}", abs);
        Tolerance.AssertClose(squares, Reductions.SumOfSquares<T>(x), k + 1, $"SumOfSquares of {n}", squares);
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

    /// <summary>The blocks of the sums' driver: each is summed in fresh accumulators, then added to the running total.</summary>
    private const int Block = 4096;

    /// <summary>
    /// The most roundings an element meets in the blocked sum on this process's path: its accumulator lane (4 vectors of
    /// lanes each share a block's elements; up to 3 leftover vectors and the masked last one join a lane), the 2 that
    /// combine the 4 accumulators, the running total over the blocks, and the horizontal sum of one vector (at most a
    /// 512-bit vector's lanes, whichever path ran). Lanes are the path's count (1 on the scalar path); a shorter span
    /// runs a narrower path, whose leftovers the 4 covers.
    /// </summary>
    private static int SumRoundings<T>(int n) where T : unmanaged
    {
        int bytes = Isa.Path switch { IsaPath.Vector512 => 64, IsaPath.Vector256 => 32, IsaPath.Vector128 => 16, _ => 0 };
        int size = typeof(T) == typeof(float) ? 4 : 8, lanes = Math.Max(bytes / size, 1);
        return (Math.Min(n, Block) + 4 * lanes - 1) / (4 * lanes) + 4 + 2 + (n + Block - 1) / Block + 64 / size;
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
