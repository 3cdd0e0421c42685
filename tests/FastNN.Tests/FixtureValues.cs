using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace FastNN.Tests;

/// <summary>Numbers a fixture script wrote as strings ("inf", "-inf", "nan", shortest round-trip repr), so that ±∞ and NaN survive JSON.</summary>
internal static class FixtureValues
{
    /// <summary>Each string of <paramref name="values"/>, rounded to nearest in <typeparamref name="T"/>.</summary>
    public static T[] Read<T>(JsonElement values) where T : unmanaged, IFloatingPointIeee754<T> =>
        values.EnumerateArray().Select(v => Parse<T>(v.GetString())).ToArray();

    /// <summary>One value, rounded to nearest in <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException"><paramref name="s"/> is null.</exception>
    public static T Parse<T>(string? s) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateTruncating(s switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            null => throw new InvalidDataException("a null value in the fixture"),
            _ => double.Parse(s, CultureInfo.InvariantCulture),
        });
}
