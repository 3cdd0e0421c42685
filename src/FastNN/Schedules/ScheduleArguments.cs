namespace FastNN.Schedules;

/// <summary>Range checks shared by the schedules, naming the offending argument and its value.</summary>
internal static class ScheduleArguments
{
    public static double Rate(double value, string name)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        return value;
    }

    public static double Factor(double value, string name)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive.");
        return value;
    }

    /// <summary>
    /// rate·factor, where the factor is a power of γ that may overflow: a rate of 0 stays 0 (0·∞ would be NaN), as
    /// PyTorch's chainable form, which multiplies 0 by γ step by step, keeps it.
    /// </summary>
    public static double Scaled(double rate, double factor) => rate == 0 ? 0 : rate * factor;

    public static long Time(long t) => t >= 0 ? t : throw new ArgumentOutOfRangeException(nameof(t), t, "t must be non-negative.");
}
