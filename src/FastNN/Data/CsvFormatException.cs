namespace FastNN.Data;

/// <summary>A CSV file that cannot be read as a numeric table; the message and properties say where.</summary>
/// <remarks>Thread safety: immutable once created; safe to read from any thread.</remarks>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates the exception for a problem at <paramref name="line"/> and, if known, <paramref name="column"/>.</summary>
    /// <param name="source">Name of the file or stream.</param>
    /// <param name="line">1-based line number (the header is line 1).</param>
    /// <param name="column">1-based column number, or 0 when the problem concerns the whole line.</param>
    /// <param name="problem">What is wrong.</param>
    public CsvFormatException(string source, int line, int column, string problem)
        : base(column > 0 ? $"{source}, line {line}, column {column}: {problem}" : $"{source}, line {line}: {problem}")
    {
        SourceName = source;
        Line = line;
        Column = column;
    }

    /// <summary>Creates the exception for a problem of the whole source, not of one line (such as compressed data that ends early).</summary>
    /// <param name="source">Name of the file or stream.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The error that revealed it, if any.</param>
    public CsvFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        SourceName = source;
    }

    /// <summary>Name of the file or stream.</summary>
    public string SourceName { get; }

    /// <summary>1-based line number of the problem (the header is line 1), or 0 when it concerns the whole source.</summary>
    public int Line { get; }

    /// <summary>1-based column number of the problem, or 0 when it concerns the whole line.</summary>
    public int Column { get; }

    /// <summary>
    /// Whether the problem is a cell that holds a finite number beyond the range of the type the file was read as
    /// (float), which double holds: the file reads as double. A program can then name its own way of asking for double.
    /// False for every other problem.
    /// </summary>
    public bool NeedsDouble => BeyondRange is not null;

    // What is wrong when NeedsDouble, without the remedy "read the file as double" (a program may word its own).
    private string? BeyondRange { get; init; }

    /// <summary>The exception for a cell beyond the range of the type read that double holds: <paramref name="problem"/>, then "read the file as double".</summary>
    internal static CsvFormatException ReadAsDouble(string source, int line, int column, string problem) =>
        new(source, line, column, $"{problem}; read the file as double.") { BeyondRange = problem };

    /// <summary>This <see cref="NeedsDouble"/> exception with <paramref name="remedy"/> in place of "read the file as double": a program's own way of asking for double.</summary>
    internal CsvFormatException WithRemedy(string remedy) =>
        new(SourceName, Line, Column, $"{BeyondRange ?? throw new InvalidOperationException("The problem is not a cell that needs double.")}; {remedy}") { BeyondRange = BeyondRange };
}
