using System.IO.Compression;
using static FastNN.Tests.Data.GzipMemberWriter;

namespace FastNN.Tests.Data;

/// <summary>
/// The .NET 10 behaviour that GzipReader is built around, pinned so that a runtime that changes it (.NET 11 rewinds a
/// finished decompressor's seekable input and can refuse truncated data) shows up here, where the reader could then be
/// simplified.
/// </summary>
public class DotNetGzipBehaviourTests
{
    private static (int Bytes, bool Threw) Decompress(byte[] data, int length)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data, 0, length), CompressionMode.Decompress);
            var output = new MemoryStream();
            gzip.CopyTo(output);
            return ((int)output.Length, false);
        }
        catch (InvalidDataException)
        {
            return (-1, true);
        }
    }

    [Fact]
    public void GZipStreamDecodesMembersAndChecksTheirCrcButNotTheirEnd()
    {
        byte[] first = Member("a,y\n1,0\n"u8), second = Member("2,1\n"u8);
        byte[] file = [.. first, .. second];
        Assert.Equal((12, false), Decompress(file, file.Length));
        // A cut anywhere is a shorter output, never an error (in .NET 10).
        for (int length = 0; length < file.Length; length++)
            Assert.False(Decompress(file, length).Threw, $"cut at {length}");
        Assert.True(Decompress(file, file.Length - 1).Bytes == 12);
        // A damaged CRC-32 is an error; bytes after the last member are ignored.
        byte[] badCrc = [.. file];
        badCrc[^8] ^= 1;
        Assert.True(Decompress(badCrc, badCrc.Length).Threw);
        byte[] garbage = [.. file, (byte)'x', 0x1f];
        Assert.Equal((12, false), Decompress(garbage, garbage.Length));
    }

    [Fact]
    public void AFinishedDeflateStreamDoesNotGiveBackWhatItReadAhead()
    {
        byte[] member = Member("a,y\n1,0\n"u8);
        byte[] file = [.. member, .. Member("2,1\n"u8)];
        var input = new MemoryStream(file) { Position = 10 };
        using (var deflate = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true))
            deflate.CopyTo(Stream.Null);
        Assert.Equal(file.Length, input.Position); // its deflate data ended at member.Length - 8
    }
}
