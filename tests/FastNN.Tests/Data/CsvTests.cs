using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using FastNN.Data;

namespace FastNN.Tests.Data;

public class CsvTests
{
    private static Dataset<double> ReadText(string text) => Csv.Read<double>(new StringReader(text), "test.csv");

    [Fact]
    public void ReadsHeaderFeaturesAndTargetLast()
    {
        Dataset<double> data = ReadText("a, b,y\n1,2.5,0\n\n-3,4e1,1\n");
        Assert.Equal(2, data.Rows);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal("y", data.TargetName);
        Assert.Equal([1.0, 2.5, -3.0, 40.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());
    }

    [Theory]
    [InlineData("a,b,y\n1,2,3\n1,x,3\n", 3, 2, "'x'")]
    [InlineData("a,b,y\n1,2,3\n1,2,NaN\n", 3, 3, "not a finite number")]
    [InlineData("a,b,y\n1,2,3\n1,2,3\n-Infinity,2,3\n", 4, 1, "not a finite number")]
    [InlineData("a,b,y\n1,2,3\n1e400,2,3\n", 3, 1, "beyond the range of double")]
    [InlineData("a,b,y\n1,,3\n", 2, 2, "empty")]
    [InlineData("a,b,y\n1,2,3\n1,2\n", 3, 0, "2 cells")]
    [InlineData("a,b,y\n1,2,3,4\n", 2, 0, "4 cells")]
    [InlineData("a,b,y\n", 1, 0, "no data rows")]
    [InlineData("", 1, 0, "empty")]
    [InlineData("y\n1\n", 1, 0, "at least one feature")]
    [InlineData("a,,y\n1,2,3\n", 1, 2, "empty column name")]
    public void MalformedInputNamesLineAndColumn(string text, int line, int column, string fragment)
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText(text));
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Equal("test.csv", error.SourceName);
        Assert.Contains(fragment, error.Message);
        Assert.Contains($"line {line}", error.Message);
    }

    [Theory]
    [InlineData("a,y\n1e39,0\n", CsvTarget.Numeric, 1)]
    [InlineData("a,y\n1,-1e39\n", CsvTarget.Numeric, 2)]
    [InlineData("a,y\n1,0.5\n2,1e39\n", CsvTarget.Auto, 2)]
    public void ANumberBeyondFloatsRangeIsSaidToBeSoNotCalledNonFinite(string text, CsvTarget target, int column)
    {
        // '1e39' is a finite number; float cannot hold it. "not a finite number" sent the user looking for an infinity.
        var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new StringReader(text), "test.csv", new CsvOptions { Target = target }));
        Assert.Equal(column, error.Column);
        Assert.Contains("1e39' in column", error.Message);
        Assert.Contains("beyond the range of float (3.4028235E+38); read the file as double.", error.Message);
        Assert.True(error.NeedsDouble);
        Dataset<double> asDouble = Csv.Read<double>(new StringReader(text), "test.csv", new CsvOptions { Target = target });
        Assert.Contains(1e39, asDouble.Features.ToArray().Concat(asDouble.Targets.ToArray()).Select(Math.Abs));
    }

    // Before: '1e400' read as float was said to be beyond float's range, "read the file as double", which then said it
    // was beyond double's.
    [Theory]
    [InlineData("a,y\n1e400,0\n", CsvTarget.Numeric, 1)]
    [InlineData("a,y\n1,-1e400\n", CsvTarget.Auto, 2)]
    public void ANumberBeyondDoublesRangeReadAsFloatIsSaidToBeBeyondDoubles(string text, CsvTarget target, int column)
    {
        foreach (CsvFormatException error in new[]
        {
            Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new StringReader(text), "test.csv", new CsvOptions { Target = target })),
            Assert.Throws<CsvFormatException>(() => Csv.Read<double>(new StringReader(text), "test.csv", new CsvOptions { Target = target })),
        })
        {
            Assert.Equal(column, error.Column);
            Assert.EndsWith("e400' in column '" + "ay"[column - 1] + "' is beyond the range of double (1.7976931348623157E+308).", error.Message);
            Assert.False(error.NeedsDouble);
        }
    }

    [Theory]
    [InlineData("a,y\n{0},0\n", null)]
    [InlineData("a,y\n1,{0}\n", new[] { "0", "1" })]
    public void AnErrorQuotesALongCellShortened(string format, string[]? knownClasses)
    {
        // A 100,001-character cell was quoted whole: one error line of 100 kB.
        string cell = new string('7', 100_000) + "x";
        var options = new CsvOptions { Target = knownClasses is null ? CsvTarget.Numeric : CsvTarget.ClassLabels, ClassLabels = knownClasses };
        var error = Assert.Throws<CsvFormatException>(() => Csv.Read<double>(new StringReader(string.Format(format, cell)), "test.csv", options));
        Assert.True(error.Message.Length < 200, error.Message);
        Assert.Contains($"'{new string('7', 60)}…' (100001 characters)", error.Message);
    }

    [Fact]
    public void ReadsGzipByMagicBytes()
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes("p,q\n0.5,1\n2,0\n"));
        compressed.Position = 0;
        Dataset<float> data = Csv.Read<float>(compressed, "mem.csv.gz");
        Assert.Equal([0.5f, 2f], data.Features.ToArray());
        Assert.Equal([1f, 0f], data.Targets.ToArray());
    }

    private static byte[] Gzip(string text)
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return compressed.ToArray();
    }

    [Theory]
    [InlineData(1)]       // one byte a read: the magic bytes come in two reads
    [InlineData(1 << 16)]
    public void GzipIsRecognizedOnAStreamThatCannotSeek(int piece)
    {
        // A pipe (fastnn train --data /dev/stdin < data.csv.gz, or --data <(curl ...)): gzip was recognized only on a stream
        // that can seek, so the compressed bytes were read as text ("the column name '\u001f\uFFFD\b...' holds bytes that are not UTF-8").
        const string text = "p,q\n0.5,1\n2,0\n";
        Dataset<float> data = Csv.Read<float>(new OneWayStream(Gzip(text), piece), "pipe");
        Assert.Equal([0.5f, 2f], data.Features.ToArray());
        Assert.Equal([1f, 0f], data.Targets.ToArray());

        // Text stays text, its first two bytes read once.
        Dataset<float> plain = Csv.Read<float>(new OneWayStream(Encoding.UTF8.GetBytes(text), piece), "pipe");
        Assert.Equal(["p"], plain.FeatureNames);
        Assert.Equal([0.5f, 2f], plain.Features.ToArray());
        var oneByte = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new OneWayStream("p"u8.ToArray(), piece), "pipe"));
        Assert.Contains("split at ',' ('p')", oneByte.Message);
    }

    /// <summary>
    /// A zip archive (a Kaggle download, an Excel workbook) or CSV compressed with xz, bzip2 or zstd was read as text: "the
    /// column name 'PK…' holds bytes that are not UTF-8: the file is likely Latin-1 … save it as UTF-8", or "the header
    /// has 1 column split at ','" for bzip2. The file is named for what it is, through a pipe too.
    /// </summary>
    [Theory]
    [InlineData("zip", "zip archive")]
    [InlineData("xz", "xz-compressed")]
    [InlineData("bzip2", "bzip2-compressed")]
    [InlineData("zstd", "zstd-compressed")]
    public void AnArchiveOrACompressionOtherThanGzipIsNamedNotReadAsText(string format, string fragment)
    {
        byte[] head = format switch
        {
            "zip" => Zip("train.csv", "a,y\n1,0\n"),
            "xz" => [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0, 0, 4, 0xE6, 0xD6, 0xB4, 0x46],
            "bzip2" => [.. "BZh91AY&SY"u8, 0x4E, 0xEC, 0xE8, 0x36],
            _ => [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x08, 0x41, 0x00],
        };
        foreach (Stream stream in new Stream[] { new MemoryStream(head), new OneWayStream(head, 1) })
        {
            var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(stream, "train.csv.x"));
            Assert.Contains(fragment, error.Message);
            Assert.StartsWith("train.csv.x: ", error.Message);
        }
        // Text that merely starts with the same letters is text.
        Assert.Equal(["BZh9"], ReadText("BZh9,y\n1,0\n").FeatureNames);
        Assert.Equal(["PK"], Csv.Read<double>(new MemoryStream("PK,y\n1,0\n"u8.ToArray()), "pk.csv").FeatureNames);
    }

    /// <summary>
    /// A PNG image (a plot given for the data), a PDF, an Excel 97-2003 workbook or a safetensors model file was read as
    /// text: the PNG's and the workbook's bytes as a column name "not UTF-8: the file is likely Latin-1 … save it as UTF-8"
    /// (eval and predict, which look columns up by name), the PDF's as a header of one column, the others' as a header
    /// of NUL characters ("a tar archive?"). Each is named for what it is, through a pipe too.
    /// </summary>
    [Theory]
    [InlineData("png", "a PNG image.")]
    [InlineData("pdf", "a PDF document.")]
    [InlineData("xls", "an Excel 97-2003 workbook (.xls) or another OLE2 compound file: save the sheet as 'CSV UTF-8'.")]
    [InlineData("safetensors", "a safetensors file (a model's weights, which ModelFile.Load reads).")]
    public void AnImageADocumentAWorkbookOrAModelFileIsNamedNotReadAsText(string format, string what)
    {
        byte[] head = format switch
        {
            "png" => [0x89, .. "PNG\r\n"u8, 0x1A, (byte)'\n', 0, 0, 0, 13, .. "IHDR"u8],
            "pdf" => [.. "%PDF-1.7\n%"u8, 0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n'],
            "xls" => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0],
            _ => [.. BitConverter.GetBytes(20L), .. "{\"__metadata__\":{}}  "u8],
        };
        foreach (Stream stream in new Stream[] { new MemoryStream(head), new OneWayStream(head, 1) })
        {
            var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(stream, "rows.csv", new CsvOptions { FeatureColumns = ["a"] }));
            Assert.Equal("rows.csv: the file is not CSV text but " + what, error.Message);
            Assert.Equal(0, error.Line);
        }
        // Text that merely starts with the same letters is text.
        Assert.Equal(["%PDF"], Csv.Read<double>(new MemoryStream("%PDF,y\n1,0\n"u8.ToArray()), "pdf.csv").FeatureNames);
    }

    /// <summary>
    /// A tar archive (a dataset.tar.gz) or UTF-16 text without a byte-order mark read as a header of NUL-padded names, and
    /// the error quoted a row of NULs ("line 4, column 1: '\0\0\0…' (9716 characters) in column 'train.csv\0\0…'").
    /// </summary>
    [Fact]
    public void AHeaderOfNulCharactersIsNamedAsNotText()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "train.csv") { DataStream = new MemoryStream("a,y\n1,0\n2,1\n"u8.ToArray()) };
            writer.WriteEntry(entry);
        }
        foreach (byte[] bytes in new[] { tar.ToArray(), Gzip(Encoding.Latin1.GetString(tar.ToArray())), Encoding.Unicode.GetBytes("a,y\n1,0\n2,1\n") })
        {
            var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new MemoryStream(bytes), "data.tar"));
            Assert.Equal((1, 0), (error.Line, error.Column));
            Assert.Contains("NUL characters", error.Message);
        }
    }

    private static byte[] Zip(string name, string text)
    {
        var archive = new MemoryStream();
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = new StreamWriter(zip.CreateEntry(name).Open()))
            entry.Write(text);
        return archive.ToArray();
    }

    /// <summary>Reads <paramref name="data"/> at most <paramref name="piece"/> bytes at a time and cannot seek, as a pipe.</summary>
    private sealed class OneWayStream(byte[] data, int piece) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int count = Math.Min(Math.Min(buffer.Length, piece), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static string Rows(int count) =>
        "a,b,y\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"{i * 0.25},{(i * 7919) % 1000},{i % 3}\n"));

    [Theory]
    [InlineData(4)]     // half the size record: every row is there, the record is not
    [InlineData(8)]     // the whole trailer (CRC and size): every row is there
    [InlineData(-2)]    // half of the compressed data
    public void TruncatedGzipIsAnErrorNotAShorterTable(int cut)
    {
        byte[] whole = Gzip(Rows(3000));
        int length = cut > 0 ? whole.Length - cut : whole.Length / -cut;
        var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new MemoryStream(whole, 0, length), "cut.csv.gz"));
        Assert.Contains("ends early", error.Message);
        Assert.Equal("cut.csv.gz", error.SourceName);
        Assert.Equal(0, error.Line);
        Assert.Equal(3000, Csv.Read<float>(new MemoryStream(whole), "whole.csv.gz").Rows);
    }

    [Fact]
    public void DamagedGzipIsACsvFormatError()
    {
        byte[] data = Gzip(Rows(3000));
        for (int i = data.Length / 3; i < data.Length / 3 + 64; i++)
            data[i] ^= 0x5A;
        var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new MemoryStream(data), "bad.csv.gz"));
        Assert.Equal("bad.csv.gz", error.SourceName);
    }

    [Theory]
    [InlineData("diabetes.csv", 442, 10, "target")]
    [InlineData("breast_cancer.csv", 569, 30, "label")]
    [InlineData("digits.csv.gz", 1797, 64, "label")]
    public void ReadsTheShippedDataSets(string file, int rows, int features, string target)
    {
        Dataset<float> data = Csv.Read<float>(DataFiles.Path(file));
        Assert.Equal(rows, data.Rows);
        Assert.Equal(features, data.FeatureCount);
        Assert.Equal(target, data.TargetName);
    }

    [Fact]
    public void FirstDiabetesRowMatchesTheFile()
    {
        // From the file's second line: 59,2,32.1,101.0,157,93.2,38.0,4.0,4.8598,87,151
        Dataset<double> data = Csv.Read<double>(DataFiles.Path("diabetes.csv"));
        Assert.Equal([59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87], data.Row(0).ToArray());
        Assert.Equal(151, data.Targets[0]);
    }
}
