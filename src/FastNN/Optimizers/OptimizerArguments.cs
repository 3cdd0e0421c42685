using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Optimizers;

/// <summary>
/// Range checks shared by the optimizers' constructors and state restore, naming the offending argument. The checks
/// in T are the update kernels' own (FastNN.Intrinsics' OptimizerKernels refuse the same values, through the same
/// <c>HyperParameter</c> checks, when a step runs): a value the update uses must be finite once rounded to T, and a positive ε must stay
/// positive there.
/// </summary>
internal static class OptimizerArguments
{
    public static double NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        return value;
    }

    /// <summary><see cref="NonNegative"/>, and finite in T: for a learning rate, a coupled weight decay or a momentum, which the update multiplies by in T.</summary>
    public static double NonNegativeIn<T>(double value, string name) where T : IFloatingPointIeee754<T> =>
        FiniteIn<T>(NonNegative(value, name), name, value);

    /// <summary>
    /// <paramref name="quantity"/>, computed in double from <paramref name="name"/> = <paramref name="value"/> (the value
    /// itself when <paramref name="formula"/> is null), must be finite in T: the kernels' own check.
    /// </summary>
    public static double FiniteIn<T>(double quantity, string name, double value, string? formula = null) where T : IFloatingPointIeee754<T>
    {
        HyperParameter.FiniteIn<T>(quantity, name, value, formula);
        return value;
    }

    /// <summary>ε: non-negative and finite in T, and not 0 there unless given as 0 (it keeps a zero denominator from making θ NaN).</summary>
    public static double EpsilonIn<T>(double epsilon, string name) where T : IFloatingPointIeee754<T>
    {
        HyperParameter.EpsilonIn<T>(NonNegative(epsilon, name), name);
        return epsilon;
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

    /// <summary>
    /// An on/off hyper-parameter of a saved state (<c>nesterov</c>, <c>amsgrad</c>, <c>centered</c>), which SaveState writes
    /// as 1 or 0. Another number is refused rather than read as on: a damaged digit would resume another run.
    /// </summary>
    /// <exception cref="ArgumentException">The state has no such value (parameter <c>state</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither 0 nor 1 (parameter <paramref name="name"/>).</exception>
    public static bool ReadFlag(IReadOnlyDictionary<string, double> values, string name) => Read(values, name) switch
    {
        0 => false,
        1 => true,
        var value => throw new ArgumentOutOfRangeException(name, value, $"The optimizer state's '{name}' must be 1 (on) or 0 (off)."),
    };
}
