namespace FastNN.Cli.Training;

/// <summary>The data set compiled into the command: digits (see Data/README.md for its provenance).</summary>
internal static class EmbeddedData
{
    /// <summary>The name shown for it.</summary>
    public const string DigitsName = "digits.csv.gz (embedded)";

    /// <summary>Opens the gzip-compressed digits CSV.</summary>
    public static Stream OpenDigits() =>
        typeof(EmbeddedData).Assembly.GetManifestResourceStream("FastNN.Cli.digits.csv.gz")
        ?? throw new InvalidOperationException("The embedded digits data set is missing from the assembly.");
}
