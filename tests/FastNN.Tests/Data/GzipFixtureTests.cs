using System.Text.Json;
using FastNN.Data;

namespace FastNN.Tests.Data;

/// <summary>
/// GzipReader on files that C zlib wrote (Fixtures/make_gzip_fixtures.py), in shapes .NET's own GZipStream, which the
/// other tests build files with, does not write: flushes (pigz's sync markers, partial flushes' empty fixed blocks),
/// fixed, RLE and Huffman-only codes, a small window, every header field with FHCRC; and damaged ones, whose errors must
/// name the member and byte. Each file is read from a source giving 1, 7 or all bytes a read.
/// </summary>
public class GzipFixtureTests
{
    public static TheoryData<string> Cases() =>
        [.. JsonFixture.Load("gzip_fixtures.json", "fastnn-gzip-fixtures", 1).GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReadsAsGzipDOrIsTheNamedError(string name)
    {
        JsonElement fixture = JsonFixture.Load("gzip_fixtures.json").GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        byte[] file = fixture.GetProperty("gzip").GetBytesFromBase64();
        foreach (int piece in new[] { 1, 7, file.Length })
        {
            using var reader = new GzipReader(new PieceStream(file, piece));
            var output = new MemoryStream();
            if (fixture.TryGetProperty("content", out JsonElement content))
            {
                reader.CopyTo(output);
                Assert.Equal(content.GetBytesFromBase64(), output.ToArray());
            }
            else
            {
                var error = Assert.Throws<InvalidDataException>(() => reader.CopyTo(output));
                Assert.Contains(fixture.GetProperty("error").GetString()!, error.Message);
            }
        }
    }

    /// <summary>Gives at most <paramref name="piece"/> bytes a read and cannot seek, as a pipe.</summary>
    private sealed class PieceStream(byte[] data, int piece) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, piece)]);
    }
}
