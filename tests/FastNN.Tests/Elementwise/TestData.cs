using System.Numerics;

namespace FastNN.Tests.Elementwise;

/// <summary>Seeded inputs mixing ordinary values with the special ones every kernel must survive.</summary>
internal static class TestData
{
    public static T[] Specials<T>() where T : IFloatingPointIeee754<T> =>
    [
        T.Zero, T.NegativeZero, T.PositiveInfinity, T.NegativeInfinity, T.NaN,
        T.CreateTruncating(100), T.CreateTruncating(-100), T.Epsilon, -T.Epsilon, T.Epsilon * T.CreateTruncating(1000),
        T.CreateTruncating(1e-30), T.CreateTruncating(-1e-30), T.One, -T.One, T.CreateSaturating(double.MaxValue), T.CreateSaturating(double.MinValue),
    ];

    /// <summary>length values: about one in six a special, the others N(0, s²) with s drawn from {0.1, 1, 4, 20}.</summary>
    public static T[] Values<T>(Random rng, int length) where T : IFloatingPointIeee754<T>
    {
        T[] specials = Specials<T>();
        double[] scales = [0.1, 1, 4, 20];
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = rng.Next(6) == 0
                ? specials[rng.Next(specials.Length)]
                : T.CreateTruncating(Gaussian(rng) * scales[rng.Next(scales.Length)]);
        return values;
    }

    /// <summary>length finite values N(0, scale²).</summary>
    public static T[] Finite<T>(Random rng, int length, double scale = 1) where T : IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = T.CreateTruncating(Gaussian(rng) * scale);
        return values;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// Sizes where vector code breaks: 0 to 3, one below, at and above every lane count and four-vector block (2 to 64
    /// elements) and the drivers' thresholds (8 vectors of 16 floats: 128; PReLU's 256-element chunks), and primes.
    /// </summary>
    private static readonly int[] EdgeSizes =
        [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 37, 61, 63, 64, 65, 97, 127, 128, 129, 251, 255, 256, 257, 293];

    /// <summary>
    /// A size in 0..<paramref name="max"/> drawn from <paramref name="rng"/>: half the time one of the edge sizes, else
    /// uniform. (FsCheck's int seeds lie in −100..100, so a size computed from the seed itself never exceeds 101.)
    /// </summary>
    public static int Size(Random rng, int max)
    {
        if (rng.Next(2) == 0)
        {
            int count = 0;
            while (count < EdgeSizes.Length && EdgeSizes[count] <= max)
                count++;
            return EdgeSizes[rng.Next(count)];
        }
        return rng.Next(max + 1);
    }

    /// <summary>A span length in 0..300 (<see cref="Size"/>).</summary>
    public static int Length(Random rng) => Size(rng, 300);
}
