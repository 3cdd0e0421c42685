using System.Globalization;

namespace FastNN.Cli;

/// <summary>
/// A number printed with a fixed count of decimals (R² -0.512, a loss 0.0831) while that stays short: from a million up in size, 4
/// significant figures with an exponent (-4.362E+36), where fixed decimals wrote every one of the 37 digits of a far-off
/// model's R².
/// </summary>
internal static class Fixed
{
    /// <summary><paramref name="value"/> with <paramref name="decimals"/> decimals, or G4 from a million up (and NaN), as
    /// the value rounds to those decimals: 999999.99996 to 4 is 1E+06, not 1000000.0000.</summary>
    public static string Of(double value, int decimals) =>
        value.ToString(Math.Abs(Math.Round(value, decimals)) < 1e6 ? $"F{decimals}" : "G4", CultureInfo.InvariantCulture);
}
