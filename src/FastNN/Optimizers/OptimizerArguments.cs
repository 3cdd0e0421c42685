namespace FastNN.Optimizers;

/// <summary>Range checks shared by the optimizers' constructors and state restore, naming the offending argument.</summary>
internal static class OptimizerArguments
{
    public static double NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        return value;
    }

    public static double Beta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        return value;
    }

    public static double Read(IReadOnlyDictionary<string, double> values, string name)
        => values.TryGetValue(name, out double value)
            ? value
            : throw new ArgumentException($"The optimizer state has no hyper-parameter '{name}'.", "state");
}
