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

    public static long Time(long t) => t >= 0 ? t : throw new ArgumentOutOfRangeException(nameof(t), t, "t must be non-negative.");
}
