using FastNN.Data;
using FsCheck.Xunit;

namespace FastNN.Tests.Data;

public class Crc32Tests
{
    [Fact]
    public void TheCheckValueOfTheStandard()
    {
        // CRC-32/ISO-HDLC (gzip, zlib, PNG): "123456789" -> cbf43926.
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
        Assert.Equal(0u, Crc32.Append(0, []));
    }

    [Fact]
    public void EveryLengthAndSplitMatchesTheBitwiseReference()
    {
        var random = new Random(7);
        byte[] data = new byte[100];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            uint expected = GzipMemberWriter.BitwiseCrc32(data.AsSpan(0, length));
            Assert.Equal(expected, Crc32.Append(0, data.AsSpan(0, length)));
            int split = length / 3;
            Assert.Equal(expected, Crc32.Append(Crc32.Append(0, data.AsSpan(0, split)), data.AsSpan(split, length - split)));
        }
    }

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void RandomBytesInRandomPiecesMatchTheBitwiseReference(int seed)
    {
        // Pieces of every length mod 16 at every offset: the sixteen-byte steps start anywhere in the data.
        var random = new Random(seed);
        byte[] data = new byte[random.Next(3000)];
        random.NextBytes(data);
        uint crc = 0;
        for (int at = 0, length; at < data.Length; at += length)
        {
            length = Math.Min(data.Length - at, random.Next(3) == 0 ? random.Next(40) : random.Next(2000));
            crc = Crc32.Append(crc, data.AsSpan(at, length));
        }
        Assert.Equal(GzipMemberWriter.BitwiseCrc32(data), crc);
    }
}
