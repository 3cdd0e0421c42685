using FastNN.Layers;

namespace FastNN.Tests.Layers;

public class FastRandomTests
{
    [Fact]
    public void NextInt32IsUniformOverSevenValues()
    {
        // 70000 draws: each count ~ Binomial(70000, 1/7), σ ≈ 92.6; allow 5σ.
        var random = new FastRandom(3);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++)
            counts[random.NextInt32(7)]++;
        Assert.All(counts, n => Assert.InRange(n, 10000 - 463, 10000 + 463));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(1431655766)] // 2³² mod n ≈ n: the rejection branch runs often
    [InlineData(int.MaxValue)]
    public void NextInt32StaysBelowItsBound(int maxExclusive)
    {
        var random = new FastRandom(11);
        int largest = 0;
        for (int i = 0; i < 20000; i++)
        {
            int value = random.NextInt32(maxExclusive);
            Assert.InRange(value, 0, maxExclusive - 1);
            largest = Math.Max(largest, value);
        }
        // The top of the range is reached (for large bounds, the top 1 % of it).
        Assert.True(largest >= maxExclusive - 1 - maxExclusive / 100, $"largest {largest} of [0, {maxExclusive})");
    }

    [Fact]
    public void NextInt32RejectsAnEmptyRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastRandom(0).NextInt32(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastRandom(0).NextInt32(-5));
    }

    [Fact]
    public void NextDoubleRejectsAReversedOrNonFiniteRange()
    {
        var random = new FastRandom(0);
        Assert.Equal("high", Assert.Throws<ArgumentOutOfRangeException>(() => random.NextDouble(5, 1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextDouble(double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextDouble(0, double.PositiveInfinity));
        Assert.Equal(3.0, random.NextDouble(3, 3));
        for (int i = 0; i < 1000; i++)
            Assert.InRange(random.NextDouble(-2, 0.5), -2, 0.5 - 1e-12);
    }

    [Fact]
    public void TheAllZeroStateIsRefused()
    {
        // xoshiro256** never leaves the all-zero state: before, Restore took it and every draw was 0 (dropout dropped
        // every unit). No generator can have saved it, so it is refused and the generator keeps its sequence.
        var random = new FastRandom(5);
        var expected = new FastRandom(5);
        var e = Assert.Throws<ArgumentException>("state", () => random.Restore((0, 0, 0, 0)));
        Assert.Contains("all zero", e.Message);
        Assert.Equal(expected.NextUInt64(), random.NextUInt64());
        random.Restore((0, 0, 0, 1));
        Assert.Contains(Enumerable.Range(0, 8).Select(_ => random.NextUInt64()), v => v != 0);
    }
}
