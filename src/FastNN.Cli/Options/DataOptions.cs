using System.CommandLine;
using FastNN.Cli.Training;
using FastNN.Data;

namespace FastNN.Cli.Options;

/// <summary>The options that say where the rows come from and how they are prepared.</summary>
internal sealed class DataOptions
{
    private readonly bool _testSplit;

    private readonly Option<string?> _data = new("--data")
    {
        Description = "The CSV file: a header row, comma- or semicolon-separated, quoted fields allowed, .csv.gz too. Default: the embedded digits data set (1797 8x8 images of digits, 10 classes).",
        HelpName = "FILE.csv",
    };

    private readonly Option<string?> _labelColumn = new("--label-column")
    {
        Description = "The target column: a header name, or a 0-based index (-1 is the last). Default: the last column.",
        HelpName = "NAME|INDEX",
    };

    private readonly Option<string?> _task = new Option<string?>("--task")
    {
        Description = $"classify, binary or regress. Default: inferred and printed (words, or integers with at most {Csv.AutoClassLimit} distinct values: classes, binary when two; otherwise regress).",
    }.AcceptOnlyFromAmong(TaskChoices.Names);

    private readonly Option<string?> _delimiter = new Option<string?>("--delimiter")
    {
        Description = "The field delimiter, , or ; . Default: detected from the header line.",
    }.AcceptOnlyFromAmong(",", ";");

    private readonly Option<double?> _testFraction = new("--test-fraction")
    {
        Description = "Fraction of rows held out for the final evaluation (stratified for classes), in [0, 1); 0 trains on every row. Default 0.2.",
        HelpName = "F",
    };

    private readonly Option<bool> _noStandardize = new("--no-standardize")
    {
        Description = "Train on the raw features (and raw regression target) instead of standardizing them with statistics of the training rows.",
    };

    private readonly Option<bool> _noShuffle = new("--no-shuffle")
    {
        Description = "Visit the training rows in file order every epoch, the last partial batch kept (as PyTorch's DataLoader without shuffle).",
    };

    /// <summary>Creates the options; <paramref name="testSplit"/> adds <c>--test-fraction</c>.</summary>
    public DataOptions(bool testSplit) => _testSplit = testSplit;

    public void AddTo(Command command)
    {
        command.Options.Add(_data);
        command.Options.Add(_labelColumn);
        command.Options.Add(_task);
        command.Options.Add(_delimiter);
        if (_testSplit)
            command.Options.Add(_testFraction);
        command.Options.Add(_noStandardize);
        command.Options.Add(_noShuffle);
    }

    public DataSettings Read(ParseResult parse)
    {
        string? task = parse.GetValue(_task);
        string? delimiter = parse.GetValue(_delimiter);
        double testFraction = _testSplit ? OptionValues.Fraction(parse.GetValue(_testFraction) ?? 0.2, "--test-fraction", allowZero: true) : 0;
        return new DataSettings(parse.GetValue(_data), parse.GetValue(_labelColumn), task is null ? null : TaskChoices.Parse(task),
            delimiter?[0], testFraction, !parse.GetValue(_noStandardize), !parse.GetValue(_noShuffle));
    }
}
