namespace FastNN.Data;

/// <summary>How <see cref="Csv"/> reads a file: the delimiter, which column is the target and how, which columns are features.</summary>
/// <remarks>Thread safety: immutable (init-only; do not change lists given to it); safe to share between threads.</remarks>
public sealed record CsvOptions
{
    /// <summary>The defaults: delimiter detected, the last column a numeric target, every other column a feature.</summary>
    public static CsvOptions Default { get; } = new();

    /// <summary>
    /// The field delimiter, or <see langword="null"/> (the default) to detect it from the header line: <c>;</c> when the
    /// header holds more semicolons than commas outside quotes, otherwise <c>,</c>. Any character but a quote and a line
    /// end (<c>\t</c> for tab-separated values); <see cref="Csv"/> throws <see cref="ArgumentException"/> for those.
    /// </summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// The target column: a header name (compared in Unicode normal form C, as <see cref="FeatureColumns"/> are), or,
    /// when no column has that name, a 0-based index (negative indices count from the end: <c>-1</c> is the last column). <see langword="null"/> (the default): the last column, or no column when
    /// <see cref="Target"/> is <see cref="CsvTarget.None"/>.
    /// </summary>
    public string? LabelColumn { get; init; }

    /// <summary>How the target column is read. Default <see cref="CsvTarget.Numeric"/>.</summary>
    public CsvTarget Target { get; init; } = CsvTarget.Numeric;

    /// <summary>
    /// The known class labels, in class-index order (for instance those a trained model was saved with): with
    /// <see cref="CsvTarget.ClassLabels"/> (or <see cref="CsvTarget.Auto"/>, which then reads the column as these classes,
    /// however many) each target must be one of them and takes its index (matched as text in Unicode normal form C, as column names are, or
    /// else by value: <c>1.0</c> finds a class <c>1</c>, as <see cref="CsvTarget.Auto"/> numbers integer classes by value). <see langword="null"/>
    /// (the default): the labels found in the file. Given with <see cref="CsvTarget.Numeric"/> or <see cref="CsvTarget.None"/>, which read no
    /// labels, they are refused (<see cref="Csv"/> throws <see cref="ArgumentException"/>).
    /// </summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>
    /// The feature columns by header name (compared in Unicode normal form C, so that a name written with decomposed
    /// characters, as macOS may write it, matches the composed one), in the order the features take (for instance a
    /// trained model's feature names), each once; other columns are ignored. <see langword="null"/> (the default): every column except the target, in file order.
    /// </summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }
}
