using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace FastNN.Cli.Options;

/// <summary>Checks of option values, each failing with a <see cref="UsageException"/> that names the option.</summary>
internal static class OptionValues
{
    /// <summary>A parser that reads an option's value as a number in the invariant culture, with an error that names the option.</summary>
    public static Func<ArgumentResult, T> Number<T>(string option) where T : struct, INumber<T> =>
        result => Parse<T>(result, option) ?? default;

    /// <summary>As <see cref="Number{T}"/>, for an option whose absence means "not given".</summary>
    public static Func<ArgumentResult, T?> OptionalNumber<T>(string option) where T : struct, INumber<T> =>
        result => Parse<T>(result, option);

    private static T? Parse<T>(ArgumentResult result, string option) where T : struct, INumber<T>
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        bool parsed = T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out T value);
        if (parsed && Underflow(text, value, option) is { } underflow)
        {
            result.AddError(underflow);
            return null;
        }
        // A number beyond double's range reads as infinity, which a check of the value would report as "got Infinity".
        if (parsed && T.IsFinite(value))
            return value;
        // An integer too large for the option is still an integer: the message gives the range rather than deny it.
        string expected = typeof(T) != typeof(int) ? (parsed ? "a finite number" : "a number")
            : BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? $"an integer from {int.MinValue} to {int.MaxValue}"
            : "an integer";
        result.AddError(text.Contains(',') && !parsed && typeof(T) != typeof(int)
            ? $"{option}: '{text}' is not a number: it takes one, with '.' as the decimal point{Several(option)}."
            : $"{option}: '{text}' is not {expected}.");
        return null;
    }

    // A comma in one number is a decimal comma or a list (--lr 0.1,0.01, as cv's grid takes them): where cv tries several
    // values of the option, the way to.
    private static string Several(string option) => option switch
    {
        "--lr" => "; several learning rates are tried by cv's --learning-rates",
        "--l1" or "--l2" or "--weight-decay" => $"; several λ are tried by cv's --lambdas with --lambda-kind {option[2..]}",
        _ => "",
    };

    // A nonzero number below double's smallest reads as 0, which a check of the value would report as "got 0" (and a list
    // of λ would run as a 0 not given): the message for it, or null.
    private static string? Underflow<T>(string text, T value, string option) where T : INumber<T> =>
        T.IsZero(value) && text.Split('e', 'E')[0].Any(c => c is >= '1' and <= '9')
            ? string.Create(CultureInfo.InvariantCulture, $"{option}: '{text}' is below the smallest double ({double.Epsilon:E1}) and would read as 0.")
            : null;

    /// <summary>Hidden widths from <c>128,64</c>; an empty string is a linear model.</summary>
    public static int[] Layers(string text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new UsageException($"{option}: '{parts[i]}' is not a positive integer{Spaced(parts[i]) ?? " (write widths such as 128,64, or \"\" for a linear model)."}");
        }
        return widths;
    }

    /// <summary>A comma-separated list of finite non-negative numbers (at least one; an empty entry is refused, as <see cref="Layers"/> does).</summary>
    public static double[] NumberList(string text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new UsageException($"{option}: give at least one number, such as 1e-3,1e-2.");
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= 0
            ? Underflow(p, v, option) is { } underflow ? throw new UsageException(underflow) : v
            : throw new UsageException($"{option}: '{p}' is not a finite non-negative number{Spaced(p) ?? "."}")).ToArray();
    }

    // An entry holding spaces is a list written with spaces, as a shell passes a quoted "64 32": the way to write it, or null.
    private static string? Spaced(string entry) =>
        entry.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } words ? $": separate the entries with commas ({string.Join(',', words)})." : null;

    public static double NonNegative(double value, string option) =>
        double.IsFinite(value) && value >= 0 ? value : throw new UsageException($"{option} must be a finite number ≥ 0; got {Show(value)}.");

    public static double Positive(double value, string option) =>
        double.IsFinite(value) && value > 0 ? value : throw new UsageException($"{option} must be a finite number > 0; got {Show(value)}.");

    public static double Fraction(double value, string option, bool allowZero) =>
        (allowZero ? value >= 0 : value > 0) && value < 1
            ? value
            : throw new UsageException($"{option} must be in {(allowZero ? "[0, 1)" : "(0, 1)")}; got {Show(value)}.");

    public static int AtLeast(int value, int minimum, string option) =>
        value >= minimum ? value : throw new UsageException($"{option} must be at least {minimum}; got {value}.");

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
