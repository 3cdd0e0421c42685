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

    /// <summary>A length in 0..300 from an FsCheck-chosen seed.</summary>
    public static int Length(int seed) => (int)((uint)seed % 301);
}
