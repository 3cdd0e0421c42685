using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FastNN.Data;
using FsCheck.Xunit;
using static FastNN.Tests.Data.GzipMemberWriter;

namespace FastNN.Tests.Data;

/// <summary>
/// GzipReader against what the file was made of: random content (bytes or CSV text, up to a few hundred KB) cut into
/// random members (empty ones too) at random compression levels (stored blocks included) with random optional header
/// fields, read through a source that returns random amounts (one byte at a time, as a slow network stream) into
/// random buffer sizes, so that members and trailers fall at every alignment of the reader's 64 KiB buffer and the
/// inflater's reads. Cut or damaged, such a file must be an error or read exactly as before, never differently.
/// </summary>
public class GzipReaderPropertyTests
{
    private static readonly CompressionLevel[] Levels =
        [CompressionLevel.NoCompression, CompressionLevel.Fastest, CompressionLevel.Optimal, CompressionLevel.SmallestSize];

    /// <summary>A gzip file, what it decompresses to, and where each member's header and the member end.</summary>
    private sealed record GzipFile(byte[] Bytes, byte[] Content, int[] HeaderEnds, int[] MemberEnds)
    {
        public bool InHeader(int at)
        {
            int member = MemberEnds.Count(end => end <= at);
            return member < MemberEnds.Length && at < HeaderEnds[member];
        }
    }

    [Property(MaxTest = 25, EndSize = 1 << 30)]
    public void RandomMembersReadAsTheirConcatenation(int seed)
    {
        var random = new Random(seed);
        GzipFile file = RandomFile(random, maxLength: 300_000, padding: random.Next(3) == 0 ? random.Next(1, 40) : 0);
        Assert.Equal(file.Content, Decompressed(file.Bytes)); // the file is what .NET's own gzip decoder reads too
        int maxChunk = file.Bytes.Length < 20_000 && random.Next(2) == 0 ? 1 : 1 + random.Next(100_000);
        Assert.Equal(file.Content, ReadAll(new ChunkedStream(file.Bytes, random, maxChunk), random));
    }

    [Property(MaxTest = 15, EndSize = 1 << 30)]
    public void ACutIsAnErrorUnlessItFallsBetweenMembers(int seed)
    {
        var random = new Random(seed);
        GzipFile file = RandomFile(random, maxLength: 20_000, padding: 0);
        // Cuts in and around every trailer, and anywhere.
        var cuts = new HashSet<int>();
        foreach (int end in file.MemberEnds)
            for (int d = -10; d <= 2; d++)
                cuts.Add(end + d);
        for (int i = 0; i < 12; i++)
            cuts.Add(random.Next(file.Bytes.Length));
        foreach (int length in cuts.Where(c => c >= 1 && c < file.Bytes.Length))
        {
            int members = Array.IndexOf(file.MemberEnds, length) + 1;
            if (members > 0)
                Assert.Equal(ContentOf(file, members), Read(file.Bytes.AsSpan(0, length).ToArray(), random));
            else
                Assert.Throws<InvalidDataException>(() => Read(file.Bytes.AsSpan(0, length).ToArray(), random));
        }
    }

    [Property(MaxTest = 15, EndSize = 1 << 30)]
    public void AFlippedByteIsAnErrorOrReadsAsBefore(int seed)
    {
        // Not in a header: nothing checks one without FHCRC, and a changed FEXTRA length or flag can make another valid
        // file (gzip -d reads it so too); CsvGzipMemberTests flip header bytes of fixed files.
        var random = new Random(seed);
        GzipFile file = RandomFile(random, maxLength: 20_000, padding: random.Next(2) * 9);
        for (int i = 0; i < 30; i++)
        {
            byte[] flipped = [.. file.Bytes];
            int at = i < 8 ? file.Bytes.Length - 1 - random.Next(30) : random.Next(flipped.Length); // the last trailer often
            if (file.InHeader(at))
                continue;
            flipped[at] ^= (byte)random.Next(1, 256);
            byte[] output;
            try
            {
                output = Read(flipped, random);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            Assert.True(file.Content.AsSpan().SequenceEqual(output), $"seed {seed}: byte {at} flipped read as {output.Length} other bytes");
        }
    }

    [Fact]
    public void StoredDataHoldingTheMembersOwnCrcAndSizeIsNotTakenForItsTrailer()
    {
        // A member whose stored (uncompressed) data ends with its own CRC-32 and size, then the header and deflate data
        // of a "phantom" member, then its real trailer. gzip -d reads the member's content; a reader that took the first
        // eight bytes holding the CRC-32 and size for the trailer would go on to read the phantom member out of it too.
        byte[] phantom = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("phantom,1\n", 300)));
        byte[] phantomDeflate = RawDeflate(phantom);
        uint crc = BitwiseCrc32(phantom);
        byte[] trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)phantom.Length); // the member has the phantom's length and CRC-32
        byte[] header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        byte[] content = new byte[phantom.Length];
        new Random(5).NextBytes(content);
        int fake = content.Length - trailer.Length - header.Length - phantomDeflate.Length;
        trailer.CopyTo(content, fake);
        header.CopyTo(content, fake + trailer.Length);
        phantomDeflate.CopyTo(content, fake + trailer.Length + header.Length);
        ForceCrc(content, crc);
        Assert.Equal(crc, BitwiseCrc32(content));
        byte[] member = [.. header, .. StoredBlock(content), .. trailer];
        foreach (byte[] file in new[] { member, [.. member, .. new byte[9]], [.. member, .. Member("x,y\n"u8)] })
        {
            byte[] expected = Decompressed(file);
            Assert.Equal(content, expected.AsSpan(0, content.Length).ToArray());
            try
            {
                Assert.Equal(expected, Read(file, new Random(1)));
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("member 1 (from byte 0)", e.Message);
                Assert.Contains($"at both byte {header.Length + 5 + fake} and byte {member.Length - trailer.Length}", e.Message);
            }
        }
    }

    [Fact]
    public void AnEmptyMembersTrailerCutByOneByteIsAnError()
    {
        // An empty member is 03 00 (a final fixed-code block with only its end code) and eight zeros: cut one zero short,
        // the deflate data's own last byte 00 and the seven zeros left look like the trailer.
        byte[] first = Member("a,y\n"u8), empty = Member([]);
        byte[][] files = [[.. first, .. empty], [.. first, .. empty, .. Member("1,0\n"u8)]];
        foreach (byte[] file in files)
        {
            int cut = first.Length + empty.Length - 1;
            var error = Assert.Throws<InvalidDataException>(() => Read(file.AsSpan(0, cut).ToArray(), new Random(3)));
            Assert.Contains($"member 2 (from byte {first.Length})", error.Message);
        }
    }

    [Fact]
    public void AnEmptyStoredBlockMemberBeforeZeroPaddingOrAMemberReads()
    {
        // An empty member written as one empty stored block (01 00 00 ff ff): its trailer's zeros, and padding after it,
        // hold its record (eight zeros) at several places of the inflater's last input (ff 00 00 00).
        byte[] first = Member("a,y\n"u8), empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x01, 0x00, 0x00, 0xff, 0xff, .. new byte[8]];
        Assert.Equal("a,y\n"u8.ToArray(), Read([.. first, .. empty, .. new byte[20]], new Random(4)));
        Assert.Equal("a,y\n1,0\n"u8.ToArray(), Read([.. first, .. empty, .. Member("1,0\n"u8)], new Random(4)));
        Assert.Throws<InvalidDataException>(() => Read([.. first, .. empty, 0, .. Member("1,0\n"u8)], new Random(4)));
    }

    [Fact]
    public void ReadsOfNoBytesOneByteAndAfterTheEndKeepTheStreamContract()
    {
        byte[] content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},{i % 7}\n")));
        byte[] file = Members(content, 5000, 5000, 9000);
        var reader = new GzipReader(new MemoryStream(file));
        var output = new List<byte>();
        byte[] one = new byte[1];
        while (true)
        {
            Assert.Equal(0, reader.Read(one, 0, 0)); // asks for nothing: ends no member
            int read = reader.Read(one, 0, 1);
            if (read == 0)
                break;
            output.Add(one[0]);
        }
        Assert.Equal(content, output);
        Assert.Equal(0, reader.Read(one, 0, 1));
        Assert.Equal(0, reader.Read(new byte[100]));
        reader.Dispose();
        reader.Dispose();
    }

    [Fact]
    public void ADamagedTrailerNamesItsMember()
    {
        byte[] first = Member("a,y\n1,0\n"u8), second = Member("2,1\n"u8, name: "b.csv");
        byte[] file = [.. first, .. second];
        file[^5] ^= 1; // the second member's CRC-32
        var error = Assert.Throws<InvalidDataException>(() => Read(file, new Random(2)));
        Assert.Contains($"member 2 (from byte {first.Length}) decompressed to 4 bytes with CRC-32 {BitwiseCrc32("2,1\n"u8):x8}", error.Message);
    }

    private static GzipFile RandomFile(Random random, int maxLength, int padding)
    {
        byte[] content = Content(random, maxLength);
        int[] cuts = [.. Enumerable.Range(0, random.Next(6)).Select(_ => random.Next(content.Length + 1)).Order()];
        var bytes = new List<byte>();
        var headerEnds = new List<int>();
        var ends = new List<int>();
        int start = 0;
        foreach (int end in cuts.Append(content.Length))
        {
            byte[]? extra = random.Next(4) == 0 ? RandomBytes(random, random.Next(8) == 0 ? 65535 : random.Next(100)) : null;
            string? name = random.Next(4) == 0 ? "part.csv" : null, comment = random.Next(4) == 0 ? new string('c', random.Next(300)) : null;
            bool headerCrc = random.Next(3) == 0;
            headerEnds.Add(bytes.Count + 10 + (extra is null ? 0 : 2 + extra.Length) + (name is null ? 0 : name.Length + 1)
                + (comment is null ? 0 : comment.Length + 1) + (headerCrc ? 2 : 0));
            bytes.AddRange(Member(content.AsSpan(start, end - start), extra, name, comment, headerCrc, text: random.Next(2) == 0,
                level: Levels[random.Next(Levels.Length)]));
            ends.Add(bytes.Count);
            start = end;
        }
        bytes.AddRange(new byte[padding]);
        return new GzipFile([.. bytes], content, [.. headerEnds], [.. ends]);
    }

    /// <summary>Random bytes (of all values, or of a few), or CSV text: empty, tiny, or up to <paramref name="maxLength"/> bytes.</summary>
    private static byte[] Content(Random random, int maxLength)
    {
        int length = random.Next(4) == 0 ? random.Next(64) : random.Next(maxLength + 1);
        switch (random.Next(3))
        {
            case 0:
                return RandomBytes(random, length);
            case 1:
                return [.. RandomBytes(random, length).Select(b => (byte)(b % 3))];
            default:
                var text = new StringBuilder("x1,x2,y\n");
                while (text.Length < length)
                    text.Append($"{random.NextDouble() * 100 - 50:R},{random.Next(1000)},{random.Next(3)}\n");
                return Encoding.UTF8.GetBytes(text.ToString(0, length));
        }
    }

    private static byte[] ContentOf(GzipFile file, int members)
    {
        using var gzip = new GZipStream(new MemoryStream(file.Bytes, 0, file.MemberEnds[members - 1]), CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Read(byte[] file, Random random) => ReadAll(new ChunkedStream(file, random, 1 + random.Next(20_000)), random);

    /// <summary>Everything the reader gives, read into buffers of random sizes.</summary>
    private static byte[] ReadAll(Stream source, Random random)
    {
        using var reader = new GzipReader(source);
        var output = new MemoryStream();
        byte[] buffer = new byte[1 << 17];
        int read;
        while ((read = reader.Read(buffer, 0, random.Next(3) == 0 ? 1 + random.Next(16) : 1 + random.Next(buffer.Length))) > 0)
            output.Write(buffer, 0, read);
        return output.ToArray();
    }

    /// <summary>What .NET's GZipStream reads from the intact file (it decodes concatenated members; it ignores what follows them).</summary>
    private static byte[] Decompressed(byte[] file)
    {
        using var gzip = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] RawDeflate(byte[] content)
    {
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            deflate.Write(content);
        return compressed.ToArray();
    }

    /// <summary>Deflate data of one final stored block (RFC 1951 3.2.4): the content as it is, after its length and the length's complement.</summary>
    private static byte[] StoredBlock(byte[] content) =>
        [0x01, (byte)content.Length, (byte)(content.Length >> 8), (byte)~content.Length, (byte)(~content.Length >> 8), .. content];

    /// <summary>Sets <paramref name="data"/>[0..4) so that its CRC-32 is <paramref name="target"/>.</summary>
    /// <remarks>The CRC-32 is affine in the message bits: crc(v) = crc(0) ^ M v for the 32 bits v of the first four bytes,
    /// M invertible; v is solved for by Gaussian elimination over GF(2).</remarks>
    private static void ForceCrc(byte[] data, uint target)
    {
        Array.Clear(data, 0, 4);
        uint offset = BitwiseCrc32(data);
        var pivots = new (uint Column, uint Bits)?[32]; // by the highest set bit of the column
        for (int bit = 0; bit < 32; bit++)
        {
            data[bit / 8] = (byte)(1 << (bit % 8));
            uint column = BitwiseCrc32(data) ^ offset, bits = 1u << bit;
            data[bit / 8] = 0;
            for (int p = 31; p >= 0 && column != 0; p--)
            {
                if ((column >> p & 1) == 0)
                    continue;
                if (pivots[p] is not { } pivot)
                {
                    pivots[p] = (column, bits);
                    break;
                }
                column ^= pivot.Column;
                bits ^= pivot.Bits;
            }
        }
        uint goal = target ^ offset, v = 0;
        for (int p = 31; p >= 0; p--)
            if ((goal >> p & 1) != 0)
            {
                goal ^= pivots[p]!.Value.Column;
                v ^= pivots[p]!.Value.Bits;
            }
        BinaryPrimitives.WriteUInt32LittleEndian(data, v);
    }

    /// <summary>A stream over bytes that returns at most a random 1 to <paramref name="maxChunk"/> of them a read.</summary>
    private sealed class ChunkedStream(byte[] data, Random random, int maxChunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + random.Next(maxChunk)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + random.Next(maxChunk))]);
    }
}
