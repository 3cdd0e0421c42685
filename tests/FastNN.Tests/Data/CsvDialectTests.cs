using System.Globalization;
using System.Text;
using FastNN.Data;

namespace FastNN.Tests.Data;

/// <summary>Delimiters, quotes, line ends and the reader's memory use.</summary>
public class CsvDialectTests
{
    private static Dataset<double> ReadText(string text, CsvOptions? options = null) => Csv.Read<double>(new StringReader(text), "test.csv", options);

    [Fact]
    public void SemicolonsAreDetectedFromTheHeader()
    {
        Dataset<double> data = ReadText("a;b;y\n1;2.5;0\n3;4;1\n");
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1.0, 2.5, 3.0, 4.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());
    }

    [Fact]
    public void DetectionReadsQuotesAsTheFieldsAreRead()
    {
        // A quote opens a quoted field only at its start: in "size 5\"" it is an inch mark, as the fields are read. Taken as
        // an opening quote, it hid the semicolons after it: ',' was detected and the header was one column.
        Dataset<double> inches = ReadText("size 5\";weight;y\n1;2;3\n");
        Assert.Equal(["size 5\"", "weight"], inches.FeatureNames);
        Assert.Equal([3.0], inches.Targets.ToArray());
        // Inside quotes, "" is a quote and the semicolons after it are the name's.
        Assert.Equal(["a\";b;c;d", "e"], ReadText("\"a\"\";b;c;d\",e,y\n1,2,3\n").FeatureNames);
    }

    [Fact]
    public void AGivenDelimiterOverridesDetection()
    {
        // Two semicolons and no comma would detect ';'; the option says ',' so each line has two cells.
        Dataset<double> data = ReadText("a;x,y\n1,0\n", new CsvOptions { Delimiter = ',' });
        Assert.Equal(["a;x"], data.FeatureNames);
        Assert.Equal([1.0], data.Features.ToArray());
    }

    [Fact]
    public void QuotedFieldsHoldDelimitersAndDoubledQuotes()
    {
        Dataset<double> data = ReadText("\"width, cm\",\"say \"\"hi\"\"\",y\n\"1.5\", 2 ,\"0\"\n");
        Assert.Equal(["width, cm", "say \"hi\""], data.FeatureNames);
        Assert.Equal([1.5, 2.0], data.Features.ToArray());

        Dataset<double> labels = ReadText("x,y\n1,\"a, \"\"b\"\"\"\n2,c\n", new CsvOptions { Target = CsvTarget.ClassLabels });
        Assert.Equal(["a, \"b\"", "c"], labels.ClassLabels!);
        Assert.Equal([0.0, 1.0], labels.Targets.ToArray());
    }

    [Fact]
    public void ATabDelimiterEndsAnEmptyFieldBeforeAQuotedOne()
    {
        // The white space before a quoted field was skipped with the tab that ends the empty field before it:
        // "1\t\t\"3\"\t0" read as three cells ("line 2: 3 cells, but the header has 4 columns").
        var options = new CsvOptions { Delimiter = '\t', FeatureColumns = ["a", "c"] };
        Dataset<double> data = ReadText("a\tb\tc\ty\n1\t\t\"3\"\t0\n4\t5\t \"6\"\t1\n", options);
        Assert.Equal([1.0, 3.0, 4.0, 6.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());
    }

    [Fact]
    public void ARowOfEmptyTabSeparatedCellsIsAnErrorAsItsCommaSeparatedTwinIs()
    {
        // "\t\t" is white space, so it was skipped as a blank line: a row of missing values vanished from a TSV file,
        // where ",," in a CSV file is refused. A line of no delimiter that is white space is still blank.
        var tabs = new CsvOptions { Delimiter = '\t' };
        var error = Assert.Throws<CsvFormatException>(() => ReadText("a\tb\ty\n1\t2\t3\n\t\t\n4\t5\t6\n", tabs));
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("empty", error.Message);
        Assert.Equal([1.0, 2.0, 4.0, 5.0], ReadText("a\tb\ty\n1\t2\t3\n  \n\n4\t5\t6\n", tabs).Features.ToArray());
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    [InlineData('\r')]
    public void ADelimiterThatCannotSeparateFieldsIsRefused(char delimiter)
    {
        // A quote as the delimiter read "a\"y" as two columns and quoting no more; a line end cannot be inside a line.
        var error = Assert.Throws<ArgumentException>(() => ReadText("a,y\n1,0\n", new CsvOptions { Delimiter = delimiter }));
        Assert.Equal(nameof(CsvOptions.Delimiter), error.ParamName);
    }

    [Theory]
    [InlineData(',', "")]
    [InlineData(';', "")]
    [InlineData(',', "\r")]
    public void ADelimiterEndingEveryLineIsNoColumn(char delimiter, string carriageReturn)
    {
        // Some exporters end every line, the header's too, with a delimiter: the header's last name was empty, and the
        // reader refused it ("line 1, column 4: the header has an empty column name").
        string text = string.Join("", new[] { "a,b,y,", "1,2,0,", "3,4, 1 ,", "" }.Select(line => line.Replace(',', delimiter) + carriageReturn + "\n"));
        Dataset<double> data = ReadText(text);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal("y", data.TargetName);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());

        // Counted from the end without it, and read by name as eval and predict read a model's columns.
        Dataset<double> named = ReadText(text, new CsvOptions { FeatureColumns = ["b"], LabelColumn = "-1" });
        Assert.Equal([2.0, 4.0], named.Features.ToArray());
        Assert.Equal("y", named.TargetName);
    }

    [Theory]
    [InlineData("a,b,y,\n1,2,0,\n3,4,1,5\n", 3, 4, "'5' after the last column")]
    [InlineData("a,b,y,\n1,2,0,\n3,4,1\n", 3, 0, "3 fields, but the header has 3 columns and a delimiter after the last (4 fields)")]
    [InlineData("a,b,y,\n1,2,0,,\n", 2, 0, "5 fields, but the header has 3 columns and a delimiter after the last (4 fields)")]
    [InlineData("a,,y,\n1,2,0,\n", 1, 2, "empty column name")]
    [InlineData("a,b,,\n1,2,0,\n", 1, 3, "empty column name")]
    public void UnderAHeaderEndingInADelimiterEveryRowEndsInOne(string text, int line, int column, string fragment)
    {
        // Every column read, a last field that is not empty is a column the header does not name, not a delimiter at the
        // end of the line (read by name, an unnamed column not read: CsvTargetTests.ALastColumnNotReadMayHaveNoNameAndHoldValues);
        // a name left empty elsewhere is still refused, the last but one too (two delimiters end the header).
        var error = Assert.Throws<CsvFormatException>(() => ReadText(text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Message);
        Assert.Contains($"line {line}", error.Message);
    }

    [Theory]
    [InlineData("a,y\n\"1,0\n", 2, 1, "not closed")]
    [InlineData("a,y\n\"1\"x,0\n", 2, 1, "follows the closing quote")]
    [InlineData("a;y\n1,5;0\n", 2, 1, "'.' as the decimal point")]
    [InlineData("a,a,y\n1,2,3\n", 1, 2, "twice")]
    public void DialectErrorsNameLineAndColumn(string text, int line, int column, string fragment)
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText(text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void CrLfLineEndsAByteOrderMarkAndBlankLinesAreAccepted()
    {
        Dataset<double> data = ReadText("\uFEFFa,y\r\n1,0\r\n\r\n2,1\r\n");
        Assert.Equal(["a"], data.FeatureNames);
        Assert.Equal([1.0, 2.0], data.Features.ToArray());

        // Text that kept its mark (Encoding.UTF8.GetString keeps it, a StreamReader drops it) and then a blank line: the
        // mark was a line that is not white space, so the header, of one empty column.
        Assert.Equal(["a"], ReadText("\uFEFF\r\n\r\na,y\r\n1,0\r\n").FeatureNames);
    }

    [Fact]
    public void LoneCarriageReturnsEndLinesAsLineFeedsDo()
    {
        // Classic Mac OS line ends (Excel for Mac's "CSV (Macintosh)"): the whole file was one line, and the reader said
        // "line 1: the file has a header but no data rows".
        Dataset<double> data = ReadText("a,y\r1,0\r2,1\r");
        Assert.Equal(["a"], data.FeatureNames);
        Assert.Equal([1.0, 2.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());

        Dataset<double> mixed = ReadText("a,y\n1,0\r\n2,1\r3,0");
        Assert.Equal([1.0, 2.0, 3.0], mixed.Features.ToArray());

        var error = Assert.Throws<CsvFormatException>(() => ReadText("a,y\r1,0\r\rx,1\r"));
        Assert.Equal((4, 1), (error.Line, error.Column));
    }

    [Fact]
    public void ACrLfSplitBetweenTwoReadsIsOneLineEnd()
    {
        // One character per read puts every '\r' at the end of the text read so far, its '\n' not yet seen.
        var error = Assert.Throws<CsvFormatException>(() =>
            Csv.Read<double>(new OneCharacterPerRead("a,y\r\n1,0\r\n\r\n2,1\r\nx,1\r\n"), "test.csv"));
        Assert.Equal((5, 1), (error.Line, error.Column));
        Assert.Equal([1.0, 2.0], Csv.Read<double>(new OneCharacterPerRead("a,y\r\n1,0\r\n2,1\r"), "test.csv").Features.ToArray());
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    [InlineData("utf-32BE")]
    public void AByteOrderMarkIsFoundWhateverFewBytesAReadGives(string encoding)
    {
        // A seekable stream that gives one byte a read, and gzip members of one byte each (a gzip member's first output
        // can be that short: python's gzip.compress of a small UTF-32 file gives its first two bytes alone). UTF-16's
        // mark was read as text, its NUL characters refused; UTF-32's was taken for UTF-16's (ff fe, then 00 00).
        Encoding text = Encoding.GetEncoding(encoding);
        byte[] bytes = [.. text.GetPreamble(), .. text.GetBytes("é,y\n1,0\n2,1\n")];
        foreach (Stream stream in new Stream[] { new OneBytePerRead(bytes), new MemoryStream(GzipMemberWriter.Members(bytes, 1, 2, 3)) })
        {
            Dataset<double> data = Csv.Read<double>(stream, "marked.csv");
            Assert.Equal(["é"], data.FeatureNames);
            Assert.Equal([1.0, 2.0], data.Features.ToArray());
        }
    }

    private sealed class OneBytePerRead(byte[] data) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
    }

    private sealed class OneCharacterPerRead(string text) : StringReader(text)
    {
        public override int Read(char[] buffer, int index, int count) => base.Read(buffer, index, Math.Min(count, 1));

        public override int Read(Span<char> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
    }

    [Fact]
    public void BytesThatAreNotUtf8InALabelOrColumnNameAreAnErrorNotMergedLabels()
    {
        // A Latin-1 file (Excel's "CSV (Comma delimited)" on Windows): 'ü' and 'ä' are bytes UTF-8 cannot read. Each was
        // read as U+FFFD, so Zürich and Zärich became one class 'Z\uFFFDrich', silently.
        var classes = new CsvOptions { Target = CsvTarget.ClassLabels };
        byte[] cities = Encoding.Latin1.GetBytes("a,city\n1,Bern\n2,Zürich\n3,Zärich\n");
        var label = Assert.Throws<CsvFormatException>(() => Csv.Read<double>(new MemoryStream(cities), "cities.csv", classes));
        Assert.Equal((3, 2), (label.Line, label.Column));
        Assert.Contains("'Z\uFFFDrich' in column 'city' holds bytes that are not UTF-8", label.Message);

        byte[] header = Encoding.Latin1.GetBytes("id,température,y\n1,20,0\n2,21,1\n");
        var name = Assert.Throws<CsvFormatException>(() => Csv.Read<double>(new MemoryStream(header), "t.csv"));
        Assert.Equal((1, 2), (name.Line, name.Column));
        Assert.Contains("not UTF-8", name.Message);
        // A column not read may keep its name: only the columns read are checked.
        Assert.Equal([0.0, 1.0], Csv.Read<double>(new MemoryStream(header), "t.csv", new CsvOptions { FeatureColumns = ["id"] }).Targets.ToArray());

        // A U+FFFD that the file holds, in UTF-8, is a character like any other.
        byte[] replacement = Encoding.UTF8.GetBytes("a,y\n1,\uFFFD\n2,b\n");
        Assert.Equal(["b", "\uFFFD"], Csv.Read<double>(new MemoryStream(replacement), "t.csv", classes).ClassLabels!);
    }

    [Fact]
    public void AColumnAskedForByNameThatBytesNotUtf8HideIsSaidToBeSo()
    {
        // fastnn predict on a Latin-1 export of the file a model was trained on: the model's 'température' is not found,
        // as the header's name reads 'temp\uFFFDrature'; the error said only "there is no column", not why.
        byte[] latin1 = Encoding.Latin1.GetBytes("id,température,y\n1,20,0\n2,21,1\n");
        foreach (CsvOptions options in new[] { new CsvOptions { FeatureColumns = ["id", "température"] }, new CsvOptions { LabelColumn = "température" } })
        {
            var error = Assert.Throws<CsvFormatException>(() => Csv.Read<double>(new MemoryStream(latin1), "t.csv", options));
            Assert.Equal((1, 0), (error.Line, error.Column));
            Assert.Contains("there is no", error.Message);
            Assert.Contains("'temp\uFFFDrature' holds bytes that are not UTF-8", error.Message);
        }
    }

    [Theory]
    [InlineData("de-DE")] // ',' as the decimal point, '.' between thousands
    [InlineData("sv-SE")] // U+2212 as the minus sign
    public void NumbersAndNumericLabelsReadTheSameWhateverTheCurrentCulture(string culture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo(culture);
        try
        {
            Dataset<double> data = ReadText("a,b,y\n1.5, -2 ,1.0\n1e-3,+1,1\n.5,1.000,2\n", new CsvOptions { Target = CsvTarget.Auto });
            Assert.Equal([1.5, -2, 1e-3, 1, 0.5, 1], data.Features.ToArray());
            Assert.Equal(["1", "2"], data.ClassLabels!); // 1.0 and 1 one class, by value
            Assert.Equal([0.0, 0.0, 1.0], data.Targets.ToArray());
            var error = Assert.Throws<CsvFormatException>(() => ReadText("a;y\n1,5;0\n"));
            Assert.Contains("'.' as the decimal point", error.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void LinesLongerThanTheReadBufferAreRead()
    {
        // 20,000 columns of "1.25," is 100,000 characters a line, more than the reader's first 65,536-character buffer.
        const int columns = 20_000;
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, columns).Select(c => $"c{c}")).Append('\n');
        for (int row = 0; row < 3; row++)
            text.AppendJoin(',', Enumerable.Range(0, columns).Select(c => (c + row).ToString(CultureInfo.InvariantCulture))).Append('\n');
        Dataset<double> data = ReadText(text.ToString());
        Assert.Equal(3, data.Rows);
        Assert.Equal(columns - 1, data.FeatureCount);
        Assert.Equal(columns - 1 + 2.0, data.Targets[2]);
        Assert.Equal(17 + 1.0, data.Row(1)[17]);
    }

    [Fact]
    public void ReadingAllocatesTheTableAndNoMemoryPerRow()
    {
        // 20,000 rows of 20 nine-character numbers: 1.6 MB of floats. A string per line alone would be 8 MB.
        const int rows = 20_000, columns = 20;
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, columns).Select(c => $"c{c}")).Append('\n');
        var random = new Random(1);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                text.Append((random.NextDouble() * 1000).ToString("F5", CultureInfo.InvariantCulture)).Append(c < columns - 1 ? ',' : '\n');
        }
        string csv = text.ToString();
        Csv.Read<float>(new StringReader("a,y\n1,2\n"), "warm-up");

        long before = GC.GetAllocatedBytesForCurrentThread();
        Dataset<float> data = Csv.Read<float>(new StringReader(csv), "big.csv");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long tableBytes = (long)rows * columns * sizeof(float);
        Assert.Equal(rows, data.Rows);
        Assert.True(allocated <= 2 * tableBytes + (1 << 20), $"reading {tableBytes} bytes of table allocated {allocated} bytes");
    }
}
