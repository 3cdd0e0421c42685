using System.Globalization;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>How the paired-round reports print their figures: fixed digits in the invariant culture, and medians.</summary>
internal static class Figures
{
    /// <summary><paramref name="value"/> with <paramref name="digits"/> decimals, in the invariant culture.</summary>
    public static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="bytes"/> over <paramref name="calls"/>, reading 0.0 only when nothing was allocated: one decimal, or
    /// two significant digits below 0.05 B a call, where one decimal would print a few allocations over thousands of
    /// calls (a buffer grown now and then) as 0.0 beside a zero-allocation claim.
    /// </summary>
    public static string PerCall(long bytes, long calls)
    {
        double perCall = bytes / (double)calls;
        return bytes == 0 || perCall >= 0.05 ? F(perCall, 1) : F(perCall, 1 - (int)Math.Floor(Math.Log10(perCall)));
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int half = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }
}
