using System.IO.Compression;
using System.Numerics;

namespace FastNN.Data;

/// <summary>
/// Reads CSV tables into a <see cref="Dataset{T}"/>: a header row of column names, then one row per example; by default
/// the target is the last column and every other column is a feature (see <see cref="CsvOptions"/>).
/// </summary>
/// <remarks>
/// <para>Fields are separated by commas or semicolons (detected from the header unless given). A field may be quoted
/// (<c>"a, b"</c>, with <c>""</c> for a quote inside), but a quoted field ends on its line. Numbers use the invariant
/// culture (<c>.</c> as decimal point). Blank lines are skipped. gzip-compressed input (<c>.csv.gz</c>) is recognized by
/// its magic bytes and decompressed on the fly; its size record (the last four bytes) must match what it decompressed
/// to, so a truncated download is an error rather than a table cut short at a line end. A file of several gzip members
/// (concatenated files) fails that check too: decompress it, or recompress it as one.</para>
/// <para>Every feature cell, and every numeric target, must be a finite number. An empty, malformed, NaN or infinite
/// cell, a row with the wrong number of cells, an empty file, a missing column, or a class column with one class
/// throws <see cref="CsvFormatException"/> naming the source, line and column.</para>
/// <para>Lines are read into one reused buffer and cells parsed from spans of it: reading allocates the dataset's arrays
/// and a fixed amount besides, nothing per row (a class label is turned into a string once, when first seen).</para>
/// <para>Thread safety: static and stateless; every method may be called from any number of threads at once.</para>
/// </remarks>
public static class Csv
{
    /// <summary>
    /// With <see cref="CsvTarget.Auto"/>, a column of integers with at most this many distinct values is read as class
    /// labels (20: more than that is more likely a count or a score than a class).
    /// </summary>
    public const int AutoClassLimit = 20;

    /// <summary>Reads the CSV (or gzip-compressed CSV) file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="CsvFormatException">The content is not a table as the options ask; the message names the file, line and column.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty, or <see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label.</exception>
    public static Dataset<T> Read<T>(string path, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read<T>(stream, Path.GetFileName(path), options);
    }

    /// <summary>Reads CSV from <paramref name="stream"/>; gzip is recognized when the stream can seek.</summary>
    /// <param name="stream">The bytes (UTF-8 text, or gzip of it).</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="CsvFormatException">The content is not a table as the options ask, or gzip data is damaged or ends early (<see cref="CsvFormatException.Line"/> 0).</exception>
    /// <exception cref="ArgumentException"><see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label.</exception>
    public static Dataset<T> Read<T>(Stream stream, string sourceName, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!IsGzip(stream))
        {
            using var text = new StreamReader(stream, leaveOpen: true);
            return Read<T>(text, sourceName, options);
        }

        uint recordedSize = GzipSizeRecord(stream);
        using var decompressed = new CountingStream(new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true));
        using var reader = new StreamReader(decompressed);
        Dataset<T> data;
        try
        {
            data = Read<T>(reader, sourceName, options);
        }
        catch (CsvFormatException e) when (!EndsAsRecorded(decompressed, recordedSize))
        {
            // A row cut short is what a truncated file looks like: say so rather than blame the row.
            throw Truncated(sourceName, decompressed.Count, recordedSize, e);
        }
        catch (InvalidDataException e)
        {
            throw new CsvFormatException(sourceName, $"the gzip data is damaged ({e.Message})", e);
        }
        if (!EndsAsRecorded(decompressed, recordedSize))
            throw Truncated(sourceName, decompressed.Count, recordedSize, null);
        return data;
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="CsvFormatException">The content is not a table as the options ask.</exception>
    /// <exception cref="ArgumentException"><see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label.</exception>
    public static Dataset<T> Read<T>(TextReader reader, string sourceName, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new CsvTableReader<T>(reader, sourceName, options ?? CsvOptions.Default).Read();
    }

    /// <summary>Whether the rest of the decompressed data is empty and the bytes decompressed match gzip's size record (ISIZE: the size mod 2³²).</summary>
    private static bool EndsAsRecorded(CountingStream decompressed, uint recordedSize)
    {
        try
        {
            decompressed.CopyTo(Stream.Null);
        }
        catch (InvalidDataException)
        {
            return false;
        }
        return (uint)decompressed.Count == recordedSize;
    }

    private static CsvFormatException Truncated(string sourceName, long decompressedBytes, uint recordedSize, Exception? inner) =>
        new(sourceName, $"the gzip data ends early or is damaged: it decompresses to {decompressedBytes} bytes where its size record says {recordedSize} "
            + "(a truncated download, or several gzip members in one file: decompress it, or recompress it as one).", inner);

    /// <summary>The last four bytes of a seekable gzip stream (little-endian ISIZE), the position restored.</summary>
    private static uint GzipSizeRecord(Stream stream)
    {
        long start = stream.Position;
        Span<byte> record = stackalloc byte[4];
        stream.Position = Math.Max(start, stream.Length - 4);
        int read = stream.ReadAtLeast(record, 4, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(record) : uint.MaxValue;
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
