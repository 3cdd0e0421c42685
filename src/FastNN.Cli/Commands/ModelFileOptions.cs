using System.CommandLine;

namespace FastNN.Cli.Commands;

/// <summary>The options eval and predict share.</summary>
internal static class ModelFileOptions
{
    public static Option<string> Model() => new("--model")
    {
        Description = "The model file fastnn train saved (safetensors with the architecture, standardization and class labels).",
        HelpName = "FILE.safetensors",
        Required = true,
    };

    public static Option<string> Data(string description) => new("--data")
    {
        Description = description,
        HelpName = "FILE.csv",
        Required = true,
    };

    public static Option<string?> Delimiter() => new Option<string?>("--delimiter")
    {
        Description = "The field delimiter, , or ; . Default: detected from the header line.",
    }.AcceptOnlyFromAmong(",", ";");

    public static Option<bool> Double() => new("--double") { Description = "Run the model in double precision instead of float, the data read as double too (a value beyond float's 3.4E+38 needs it)." };
}
