namespace FastNN.Tests.Optimizers;

/// <summary>Seeded random parameters and gradients, and the comparison rule |a − r| ≤ atol + rtol·|r|.</summary>
internal static class TestData
{
    public static double[] Uniform(Random random, int n, double scale = 1)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (random.NextDouble() * 2 - 1) * scale;
        return x;
    }

    public static double[][] Gradients(int seed, int steps, int n)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, steps).Select(_ => Uniform(random, n, 0.7))];
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (!(excess <= 0) && (worstAt < 0 || excess > worst)) (worst, worstAt) = (excess, i);
        }
        if (worstAt >= 0)
            Assert.Fail($"{what}: element {worstAt} is {actual[worstAt]:R}, expected {expected[worstAt]:R} (rtol {rtol}, atol {atol}).");
    }
}
