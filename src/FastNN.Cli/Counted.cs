using System.Globalization;

namespace FastNN.Cli;

/// <summary>Counts in messages: the noun singular for one ("1 row", "2 rows"), as a one-row or one-feature file needs.</summary>
internal static class Counted
{
    /// <summary>"<paramref name="count"/> <paramref name="noun"/>", with an s unless the count is one.</summary>
    public static string Of(long count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    /// <summary>The verb after a count: "is" for one, "are" otherwise.</summary>
    public static string Be(long count) => count == 1 ? "is" : "are";
}
