using System.Text;
using FastNN.Data;
using static FastNN.Tests.Data.GzipMemberWriter;

namespace FastNN.Tests.Data;

/// <summary>
/// A .csv.gz of several gzip members reads as the concatenation of their contents (as <c>gzip -d</c>), and a file cut
/// short or damaged anywhere is still an error, never a shorter or different table.
/// </summary>
public class CsvGzipMemberTests
{
    // "é" is two bytes in UTF-8 (c3 a9), so some cuts below fall inside a character.
    private const string Table = "café,y\n1.5,0\n-2,1\n";

    private static Dataset<float> ReadGzip(byte[] file, string name = "m.csv.gz") => Csv.Read<float>(new MemoryStream(file), name);

    private static void AssertSameTable(Dataset<float> expected, Dataset<float> actual)
    {
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        Assert.Equal(expected.TargetName, actual.TargetName);
        Assert.Equal(expected.Features.ToArray(), actual.Features.ToArray());
        Assert.Equal(expected.Targets.ToArray(), actual.Targets.ToArray());
    }

    private static Dataset<float> Plain(string text) => Csv.Read<float>(new StringReader(text), "plain.csv");

    [Fact]
    public void TwoOrThreeMembersCutAnywhereReadAsTheirConcatenation()
    {
        // Every cut: mid-line, mid-number, inside "é", and empty members (a cut at 0, at the end, or twice at one place).
        byte[] content = Encoding.UTF8.GetBytes(Table);
        Dataset<float> expected = Plain(Table);
        Assert.Equal(["café"], expected.FeatureNames);
        for (int i = 0; i <= content.Length; i++)
        {
            AssertSameTable(expected, ReadGzip(Members(content, i)));
            for (int j = i; j <= content.Length; j += 3)
                AssertSameTable(expected, ReadGzip(Members(content, i, j)));
        }
    }

    [Fact]
    public void ManyMembersOfEverySizeReadAsOne()
    {
        // 200 KB of text in members of 0 bytes to 20 KB (as bgzip's 64 KiB blocks, smaller): the file spans the reader's
        // 64 KiB input buffer, and the large members span several of the inflater's 8 KiB reads.
        string text = "a,b,y\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"{(i * 2654435761L) % 1000003 * 0.001},{(i * 7919) % 1000},{i % 3}\n"));
        byte[] content = Encoding.UTF8.GetBytes(text);
        int[] sizes = [1000, 37, 20_000, 1, 0, 4096];
        var cuts = new List<int>();
        for (int at = 0, k = 0; at + sizes[k % sizes.Length] < content.Length; k++)
            cuts.Add(at += sizes[k % sizes.Length]);
        byte[] file = Members(content, [.. cuts]);
        Assert.True(file.Length > 65536, $"{file.Length} bytes");
        AssertSameTable(Plain(text), ReadGzip(file));
    }

    [Fact]
    public void OptionalHeaderFieldsAreSkipped()
    {
        byte[] first = Encoding.UTF8.GetBytes("café,y\n1.5,"), second = Encoding.UTF8.GetBytes("0\n-2,1\n");
        byte[] bgzfExtra = [(byte)'B', (byte)'C', 2, 0, 0x1b, 0x00]; // bgzip's BSIZE subfield
        byte[] file = [.. Member(first, extra: bgzfExtra, headerCrc: true),
            .. Member(second, extra: bgzfExtra, name: "part2.csv", comment: "written by a test", headerCrc: true, text: true)];
        AssertSameTable(Plain(Table), ReadGzip(file));
    }

    [Theory]
    [InlineData(3, 0x20, "reserved bits")]  // FLG: a reserved bit
    [InlineData(2, 7, "compression method is 7")]
    [InlineData(1, 0x8c, "not gzip's 1f 8b")]
    [InlineData(-1, 0, "FHCRC")]            // the header checksum's last byte
    public void ABadHeaderInTheSecondMemberIsNamed(int at, int value, string fragment)
    {
        byte[] first = Member("a,y\n1,0\n"u8), second = Member("2,1\n"u8, name: "b", headerCrc: true);
        int headerEnd = 10 + 2 + 2; // fixed part, "b\0", FHCRC
        second[at >= 0 ? at : headerEnd + at] = at >= 0 ? (byte)value : (byte)(second[headerEnd + at] ^ 1);
        var error = Assert.Throws<CsvFormatException>(() => ReadGzip([.. first, .. second], "bad.csv.gz"));
        Assert.Contains(fragment, error.Message);
        Assert.Contains($"member 2 (from byte {first.Length})", error.Message);
        Assert.StartsWith("bad.csv.gz: the gzip data is damaged", error.Message);
        Assert.Equal(0, error.Line);
    }

    [Fact]
    public void ACutAtEveryByteOfTwoMembersIsAnError()
    {
        // The first member ends mid-row, so even the cut exactly between the members (a valid one-member gzip file)
        // leaves a row that does not parse; every other cut is found by the gzip checks, named as such.
        byte[] first = Member("a,y\n1,0\n2,"u8, name: "part1.csv"), second = Member("1\n3,0\n"u8, name: "part2.csv");
        byte[] file = [.. first, .. second];
        Assert.Equal(3, ReadGzip(file).Rows);
        for (int length = 0; length < file.Length; length++)
        {
            var error = Assert.Throws<CsvFormatException>(() => Csv.Read<float>(new MemoryStream(file, 0, length), "cut.csv.gz"));
            if (length >= 2 && length != first.Length)
            {
                Assert.Contains("the gzip data ends early", error.Message);
                Assert.Contains(length < first.Length ? "member 1 (from byte 0)" : $"member 2 (from byte {first.Length})", error.Message);
            }
        }
    }

    [Fact]
    public void AFlippedBitIsAnErrorOrChangesNothing()
    {
        // A bit flipped in MTIME, XFL, OS, FTEXT or in the padding after the final deflate block changes nothing that
        // gzip checks or reads; anywhere else it must be an error. It must never give another table.
        byte[] first = Member("a,y\n1,0\n2,"u8), second = Member("1\n3,0\n"u8);
        byte[] file = [.. first, .. second];
        Dataset<float> expected = ReadGzip(file);
        int[] trailers = [.. Enumerable.Range(first.Length - 8, 8), .. Enumerable.Range(file.Length - 8, 8)];
        int errors = 0;
        for (int at = 0; at < file.Length; at++)
            foreach (byte bit in new byte[] { 0x01, 0x10, 0x80 })
            {
                byte[] flipped = [.. file];
                flipped[at] ^= bit;
                Dataset<float> data;
                try
                {
                    data = ReadGzip(flipped);
                }
                catch (CsvFormatException)
                {
                    errors++;
                    continue;
                }
                Assert.DoesNotContain(at, trailers);
                AssertSameTable(expected, data);
            }
        Assert.True(errors > 2 * file.Length, $"{errors} of {3 * file.Length} flips were errors");
    }

    [Theory]
    [InlineData(new byte[] { 0 }, null)]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, null)]
    [InlineData(new byte[] { (byte)'x' }, "not zero padding")]
    [InlineData(new byte[] { 0, 0, (byte)'x' }, "not zero padding")]
    [InlineData(new byte[] { 0x1f }, "ends early")]
    [InlineData(new byte[] { 0x1f, 0x8b, 8, 0 }, "ends early")]
    public void ZeroPaddingAfterTheLastMemberIsIgnoredAndNothingElse(byte[] tail, string? fragment)
    {
        // As gzip -d: zeros pass silently; other bytes are refused here, where gzip -d warns "trailing garbage
        // ignored" (they may be a member whose first byte was damaged); a started header is a cut.
        byte[] file = [.. Members(Encoding.UTF8.GetBytes(Table), 9), .. tail];
        if (fragment is null)
        {
            AssertSameTable(Plain(Table), ReadGzip(file));
            return;
        }
        var error = Assert.Throws<CsvFormatException>(() => ReadGzip(file, "tail.csv.gz"));
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void AFlippedByteInTheLastRowsDeflateDataIsTheGzipErrorNotTheRowError()
    {
        // Damage that garbles a row before the member's checksum is reached: the reader reports the damage.
        string text = "a,b,y\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i * 0.25},{(i * 7919) % 1000},{i % 3}\n"));
        byte[] file = Members(Encoding.UTF8.GetBytes(text), text.Length / 2);
        for (int at = file.Length - 60; at < file.Length - 50; at++)
        {
            byte[] flipped = [.. file];
            flipped[at] ^= 0x5A;
            var error = Assert.Throws<CsvFormatException>(() => ReadGzip(flipped, "bad.csv.gz"));
            Assert.Contains("damaged", error.Message);
            Assert.Contains("member 2 (from byte ", error.Message);
            Assert.Equal(0, error.Line);
        }
    }
}
