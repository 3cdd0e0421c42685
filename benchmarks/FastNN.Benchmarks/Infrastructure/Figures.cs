using System.Globalization;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>How the paired-round reports print their figures: fixed digits in the invariant culture, and medians.</summary>
internal static class Figures
{
    /// <summary><paramref name="value"/> with <paramref name="digits"/> decimals, in the invariant culture.</summary>
    public static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int half = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }
}
