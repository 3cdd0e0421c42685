using System.Numerics;

namespace FastNN.Tests.Elementwise;

/// <summary>Magnitude-scaled comparisons in units of the element type's ε (2⁻²³ for float, 2⁻⁵² for double).</summary>
internal static class Tolerance
{
    public static double Epsilon<T>() => typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);

    /// <summary>The smallest subnormal of T: results below the normal range are compared to within a few of these.</summary>
    public static double Tiny<T>() => typeof(T) == typeof(float) ? Math.Pow(2, -149) : double.Epsilon;

    /// <summary>
    /// |actual − expected| ≤ ulps·ε·scale + ulps·tiny, scale defaulting to |expected|; NaN must match NaN and
    /// infinities must match exactly.
    /// </summary>
    /// <remarks>
    /// <paramref name="floorScale"/> multiplies the subnormal floor where the kernel multiplies a subnormal intermediate
    /// (e.g. x·σ(x) with σ(x) subnormal: its half-ulp absolute error is scaled by |x|).
    /// </remarks>
    public static void AssertClose<T>(double expected, T actual, double ulps, string what, double? scale = null, double floorScale = 1)
        where T : IFloatingPointIeee754<T>
    {
        double a = double.CreateTruncating(actual);
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(a), $"{what}: expected NaN, got {a:R}");
            return;
        }
        if (double.IsInfinity(expected) || double.IsInfinity(a))
        {
            Assert.True(expected == a, $"{what}: expected {expected:R}, got {a:R}");
            return;
        }
        double tolerance = ulps * Epsilon<T>() * (scale ?? Math.Abs(expected)) + ulps * Tiny<T>() * floorScale;
        Assert.True(Math.Abs(a - expected) <= tolerance,
            $"{what}: expected {expected:R}, got {a:R}, error {Math.Abs(a - expected) / Epsilon<T>() / Math.Max(scale ?? Math.Abs(expected), double.Epsilon):G3} ε (bound {ulps} ε)");
    }

    public static double D<T>(T value) where T : IFloatingPointIeee754<T> => double.CreateTruncating(value);
}
