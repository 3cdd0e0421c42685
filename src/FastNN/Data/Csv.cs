using System.Numerics;

namespace FastNN.Data;

/// <summary>
/// Reads CSV tables into a <see cref="Dataset{T}"/>: a header row of column names, then one row per example; by default
/// the target is the last column and every other column is a feature (see <see cref="CsvOptions"/>).
/// </summary>
/// <remarks>
/// <para>Fields are separated by commas or semicolons (detected from the header unless given). A field may be quoted
/// (<c>"a, b"</c>, with <c>""</c> for a quote inside), but a quoted field ends on its line. Each column read needs a
/// name of its own; a column not read (outside <see cref="CsvOptions.FeatureColumns"/>) may have none, or another's. Names
/// are compared in Unicode normal form C, on both sides: an <c>é</c> written decomposed (<c>e</c> and U+0301, as macOS may
/// write it) matches a composed one in <see cref="CsvOptions.FeatureColumns"/> or <see cref="CsvOptions.LabelColumn"/>,
/// and two header names that differ only so are one name (refused, as a repeated name is, when a column read has it);
/// class labels are compared so too (one class, named composed). (Not in .NET's globalization-invariant mode, which
/// Alpine images and <c>InvariantGlobalization</c> turn on: it has no normalization data, and text is compared as written.) A
/// delimiter that ends the header (its last name empty), as some exporters end every line, is no column: each row must
/// then end with one too, and the field after it be empty (an error naming its line and column) unless
/// <see cref="CsvOptions.FeatureColumns"/> names the columns read, when it is an unnamed last column, not read.
/// Numbers use the invariant culture whatever the current one (<c>.</c> as decimal point; <c>1e-3</c>, <c>+1</c>,
/// <c>.5</c>). Files and streams are read as UTF-8, or as UTF-16 or UTF-32 by a byte-order mark: bytes that are not
/// UTF-8 (a Latin-1 or Windows-1252 file's <c>é</c>) in a column name or class label read are an error, where they
/// would read as U+FFFD and two labels as one (in a number, the number is not one). Lines end with <c>\n</c>,
/// <c>\r\n</c> or a lone <c>\r</c>; blank lines (white space without a delimiter) are skipped. gzip-compressed input (<c>.csv.gz</c>) is recognized by
/// its magic bytes, also through a pipe, and decompressed on the fly. A file of several gzip members (<c>cat a.gz b.gz</c>, or what pigz and
/// bgzip write) reads as the concatenation of their contents, as <c>gzip -d</c> gives it. Each member is checked against
/// its trailer (CRC-32 and size), so a truncated download or a damaged byte is an error naming the member and byte, not a
/// table cut short at a line end; zero bytes after the last member are ignored (as <c>gzip -d</c> does), other bytes
/// are an error. A file cut exactly between two members is itself a valid gzip file, which no reader can tell. A zip
/// archive (an Excel workbook too, and an Excel 97-2003 one), a file compressed with xz, bzip2 or zstd, a PNG image, a
/// PDF document or a safetensors file is an error that says so, as is a header holding NUL characters (a tar archive,
/// or UTF-16 without a byte-order mark).</para>
/// <para>Every feature cell, and every numeric target, must be a finite number. An empty, malformed, NaN or infinite
/// cell, one beyond the range of the element type (<c>1e39</c> as <see cref="float"/>; one too small for it reads as 0), a row with
/// the wrong number of cells, an empty file, a missing column, or a class column with one class
/// throws <see cref="CsvFormatException"/> naming the source, line and column; for a number beyond float's range that
/// double holds, read as float, its <see cref="CsvFormatException.NeedsDouble"/> is true.</para>
/// <para>Lines are read into one reused buffer and cells parsed from spans of it: reading allocates the dataset's arrays
/// and a fixed amount besides, nothing per row (a class label is turned into a string once, when first seen; a gzip
/// member gets an inflater of its own).</para>
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
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty, or <see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label or is given under a <see cref="CsvOptions.Target"/> that reads no labels (Numeric, None), or <see cref="CsvOptions.FeatureColumns"/> holds null or names a column twice, or <see cref="CsvOptions.Delimiter"/> is a quote or a line end, or <see cref="CsvOptions.Target"/> is not a <see cref="CsvTarget"/> (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static Dataset<T> Read<T>(string path, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read<T>(stream, Path.GetFileName(path), options);
    }

    /// <summary>Reads CSV from <paramref name="stream"/>, from its position on; gzip is recognized by its magic bytes, also on a stream that cannot seek (a pipe).</summary>
    /// <param name="stream">The bytes: UTF-8 text (UTF-16 or UTF-32 with a byte-order mark), or gzip of it.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="CsvFormatException">The content is not a table as the options ask, or gzip data is damaged or ends early, or the bytes are a zip archive, an Excel 97-2003 workbook, a PNG image, a PDF or a safetensors file, or compressed otherwise than with gzip (<see cref="CsvFormatException.Line"/> 0).</exception>
    /// <exception cref="ArgumentException"><see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label or is given under a <see cref="CsvOptions.Target"/> that reads no labels (Numeric, None), or <see cref="CsvOptions.FeatureColumns"/> holds null or names a column twice, or <see cref="CsvOptions.Delimiter"/> is a quote or a line end, or <see cref="CsvOptions.Target"/> is not a <see cref="CsvTarget"/> (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static Dataset<T> Read<T>(Stream stream, string sourceName, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        var utf8 = new Utf8Decoding();
        (stream, bool gzip) = Peek(stream, sourceName);
        if (!gzip)
        {
            using var text = new StreamReader(MarkInFirstRead(stream), utf8.Encoding, detectEncodingFromByteOrderMarks: true);
            return Read<T>(text, sourceName, options, utf8);
        }

        using var decompressed = new GzipReader(stream);
        try
        {
            // Large reads: each one is a call into zlib and a CRC-32 pass, which a small buffer would multiply.
            using var reader = new StreamReader(MarkInFirstRead(decompressed), utf8.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return Read<T>(reader, sourceName, options, utf8);
        }
        catch (CsvFormatException)
        {
            // A row that does not parse may be damage that the gzip checks find further on: report that instead.
            if (GzipProblem(decompressed) is { } problem)
                throw new CsvFormatException(sourceName, problem.Message, problem);
            throw;
        }
        catch (InvalidDataException e)
        {
            throw new CsvFormatException(sourceName, e.Message, e);
        }
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="CsvFormatException">The content is not a table as the options ask.</exception>
    /// <exception cref="ArgumentException"><see cref="CsvOptions.ClassLabels"/> holds an empty or repeated label or is given under a <see cref="CsvOptions.Target"/> that reads no labels (Numeric, None), or <see cref="CsvOptions.FeatureColumns"/> holds null or names a column twice, or <see cref="CsvOptions.Delimiter"/> is a quote or a line end, or <see cref="CsvOptions.Target"/> is not a <see cref="CsvTarget"/> (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static Dataset<T> Read<T>(TextReader reader, string sourceName, CsvOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return Read<T>(reader, sourceName, options, decoding: null);
    }

    private static Dataset<T> Read<T>(TextReader reader, string sourceName, CsvOptions? options, Utf8Decoding? decoding)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new CsvTableReader<T>(reader, sourceName, options ?? CsvOptions.Default, decoding).Read();

    /// <summary>What is wrong with the rest of the gzip data, if anything.</summary>
    private static InvalidDataException? GzipProblem(GzipReader decompressed)
    {
        try
        {
            decompressed.CopyTo(Stream.Null);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e;
        }
    }

    // StreamReader looks for a byte-order mark in its first read of the stream only, and tells UTF-32's (ff fe 00 00) from
    // UTF-16's (ff fe) only when that read holds four bytes; a stream may give fewer (one byte a read keeps the Stream
    // contract, and a gzip member's first output can be two bytes). So the first four are read ahead and given in one read.
    private static PeekedStream MarkInFirstRead(Stream bytes)
    {
        byte[] head = new byte[4];
        int read = bytes.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return new PeekedStream(head.AsMemory(0, read), bytes);
    }

    // Whether the stream starts with gzip's magic bytes, and the stream to read: the same, put back where it was, when it
    // can seek; otherwise one that gives the bytes read back first (a pipe: fastnn --data /dev/stdin, <(curl ...)).
    private static (Stream Input, bool Gzip) Peek(Stream stream, string sourceName)
    {
        byte[] magic = new byte[10];
        long start = stream.CanSeek ? stream.Position : 0;
        int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (NotRead(magic.AsSpan(0, read)) is { } what)
            throw new CsvFormatException(sourceName, $"the file is not CSV text but {what}.");
        bool gzip = read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (stream.CanSeek)
        {
            stream.Position = start;
            return (stream, gzip);
        }
        return (new PeekedStream(magic.AsMemory(0, read), stream), gzip);
    }

    // An archive or compression that CSV often comes in but that is not read, or a file given for the CSV one (a plot, a
    // report, a model), named by its magic bytes; read as text, its bytes were a column name "not UTF-8: save it as
    // UTF-8", one column, or a header of NUL characters (a Kaggle download is a .zip).
    private static string? NotRead(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> zip = "PK\u0003\u0004"u8, emptyZip = "PK\u0005\u0006"u8, xz = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], zstd = [0x28, 0xB5, 0x2F, 0xFD],
            png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if (head.StartsWith(zip) || head.StartsWith(emptyZip))
            return "a zip archive (a .zip, or an Excel workbook): extract the CSV file, or save the sheet as 'CSV UTF-8'";
        if (head.StartsWith(ole2))
            return "an Excel 97-2003 workbook (.xls) or another OLE2 compound file: save the sheet as 'CSV UTF-8'";
        if (head.StartsWith(png))
            return "a PNG image";
        if (head.StartsWith("%PDF-"u8))
            return "a PDF document";
        // safetensors: an 8-byte little-endian header length, of which text would hold no NUL bytes, then the header's '{'.
        if (head.Length == 10 && head[4..8].IndexOfAnyExcept((byte)0) < 0 && head[8] == '{')
            return "a safetensors file (a model's weights, which ModelFile.Load reads)";
        if (head.StartsWith(xz))
            return Compressed("xz", "xz -d");
        if (head.StartsWith(zstd))
            return Compressed("zstd", "zstd -d");
        // bzip2: "BZh", the block size 1-9, and the first block's magic (the digits of pi), so that no text is taken for it.
        if (head.Length == 10 && head.StartsWith("BZh"u8) && char.IsAsciiDigit((char)head[3]) && head[4..].SequenceEqual("1AY&SY"u8))
            return Compressed("bzip2", "bunzip2");
        return null;
    }

    private static string Compressed(string format, string command) =>
        $"{format}-compressed: decompress it ({command}), or compress it with gzip, which is read as it is";
}
