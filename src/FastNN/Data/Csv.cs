using System.Globalization;
using System.IO.Compression;
using System.Numerics;

namespace FastNN.Data;

/// <summary>
/// Reads numeric CSV tables into a <see cref="Dataset{T}"/>: a header row of column names, then one row per
/// example, comma-separated, the target in the last column.
/// </summary>
/// <remarks>
/// Numbers use the invariant culture (<c>.</c> as decimal point). Blank lines are skipped; quoted fields are
/// not supported. Every cell must be a finite number: an empty, malformed, NaN or infinite cell, or a row with
/// the wrong number of cells, throws <see cref="CsvFormatException"/> naming the line and column.
/// gzip-compressed input (<c>.csv.gz</c>) is recognized by its magic bytes and decompressed on the fly.
/// <para>Thread safety: every method may be called from several threads at once.</para>
/// </remarks>
public static class Csv
{
    /// <summary>Reads the CSV (or gzip-compressed CSV) file at <paramref name="path"/>.</summary>
    /// <exception cref="CsvFormatException">The content is not a numeric table.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static Dataset<T> Read<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read<T>(stream, Path.GetFileName(path));
    }

    /// <summary>Reads CSV from <paramref name="stream"/>; gzip is recognized when the stream can seek.</summary>
    /// <param name="stream">The bytes (UTF-8 text, or gzip of it).</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <exception cref="CsvFormatException">The content is not a numeric table.</exception>
    public static Dataset<T> Read<T>(Stream stream, string sourceName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        using var text = new StreamReader(IsGzip(stream) ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : stream, leaveOpen: true);
        return Read<T>(text, sourceName);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <exception cref="CsvFormatException">The content is not a numeric table.</exception>
    public static Dataset<T> Read<T>(TextReader reader, string sourceName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);

        int lineNumber = 0;
        string? header;
        do
        {
            header = reader.ReadLine();
            lineNumber++;
        } while (header is not null && string.IsNullOrWhiteSpace(header));
        if (header is null)
            throw new CsvFormatException(sourceName, Math.Max(lineNumber, 1), 0, "the file is empty; a header row of column names is expected.");

        string[] names = header.Split(',').Select(n => n.Trim()).ToArray();
        if (names.Length < 2)
            throw new CsvFormatException(sourceName, lineNumber, 0, $"the header has {names.Length} column; at least one feature and the target are expected.");
        for (int c = 0; c < names.Length; c++)
        {
            if (names[c].Length == 0)
                throw new CsvFormatException(sourceName, lineNumber, c + 1, "the header has an empty column name.");
        }

        int featureCount = names.Length - 1;
        var features = new List<T>();
        var targets = new List<T>();
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            ReadRow(line.AsSpan(), names, sourceName, lineNumber, features, targets);
        }
        if (targets.Count == 0)
            throw new CsvFormatException(sourceName, lineNumber, 0, "the file has a header but no data rows.");

        return new Dataset<T>(features.ToArray(), targets.ToArray(), featureCount, names[..featureCount], names[^1]);
    }

    private static void ReadRow<T>(ReadOnlySpan<char> line, string[] names, string sourceName, int lineNumber, List<T> features, List<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cells = line.Count(',') + 1;
        if (cells != names.Length)
            throw new CsvFormatException(sourceName, lineNumber, 0, $"{cells} cells, but the header has {names.Length} columns.");

        int column = 0;
        foreach (Range range in line.Split(','))
        {
            ReadOnlySpan<char> cell = line[range].Trim();
            column++;
            if (cell.IsEmpty)
                throw new CsvFormatException(sourceName, lineNumber, column, $"the cell of column '{names[column - 1]}' is empty.");
            if (!T.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out T value))
                throw new CsvFormatException(sourceName, lineNumber, column, $"'{cell}' in column '{names[column - 1]}' is not a number.");
            if (!T.IsFinite(value))
                throw new CsvFormatException(sourceName, lineNumber, column, $"'{cell}' in column '{names[column - 1]}' is not a finite number.");
            (column == names.Length ? targets : features).Add(value);
        }
    }

    private static bool IsGzip(Stream stream)
    {
        if (!stream.CanSeek)
            return false;
        long start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        int read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
