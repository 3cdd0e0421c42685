using System.IO.Compression;

namespace FastNN.Tests.Data;

/// <summary>
/// Writes gzip members byte by byte as RFC 1952 lays them out, independently of FastNN's reader: the deflate data and
/// the trailer (CRC-32, size) are zlib's, taken from .NET's own one-member <see cref="GZipStream"/> output of the same
/// bytes; the header is written here with whichever optional fields a test asks for. An empty member is the 20 bytes
/// <c>gzip</c> writes for empty input (deflate 03 00: one final fixed-code block holding only its end code).
/// </summary>
internal static class GzipMemberWriter
{
    public const byte Text = 0x01, HeaderCrc = 0x02, Extra = 0x04, Name = 0x08, Comment = 0x10;

    /// <summary>One member holding <paramref name="content"/>.</summary>
    public static byte[] Member(ReadOnlySpan<byte> content, byte[]? extra = null, string? name = null, string? comment = null, bool headerCrc = false, bool text = false,
        CompressionLevel level = CompressionLevel.Optimal)
    {
        (byte[] deflate, byte[] trailer) = Zlib(content, level);
        var header = new List<byte> { 0x1f, 0x8b, 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 3 }; // MTIME arbitrary, XFL 0, OS 3 (Unix)
        byte flags = (byte)((text ? Text : 0) | (extra is null ? 0 : Extra) | (name is null ? 0 : Name) | (comment is null ? 0 : Comment) | (headerCrc ? HeaderCrc : 0));
        header[3] = flags;
        if (extra is not null)
        {
            header.Add((byte)extra.Length);
            header.Add((byte)(extra.Length >> 8));
            header.AddRange(extra);
        }
        if (name is not null)
            header.AddRange([.. System.Text.Encoding.Latin1.GetBytes(name), 0]);
        if (comment is not null)
            header.AddRange([.. System.Text.Encoding.Latin1.GetBytes(comment), 0]);
        if (headerCrc)
        {
            uint crc = BitwiseCrc32([.. header]);
            header.Add((byte)crc);
            header.Add((byte)(crc >> 8));
        }
        return [.. header, .. deflate, .. trailer];
    }

    /// <summary>The members of <paramref name="content"/> cut at <paramref name="cuts"/> (ascending byte offsets), concatenated.</summary>
    public static byte[] Members(byte[] content, params int[] cuts)
    {
        var file = new List<byte>();
        int start = 0;
        foreach (int end in cuts.Append(content.Length))
        {
            file.AddRange(Member(content.AsSpan(start, end - start)));
            start = end;
        }
        return [.. file];
    }

    /// <summary>zlib's deflate data and trailer for <paramref name="content"/>.</summary>
    private static (byte[] Deflate, byte[] Trailer) Zlib(ReadOnlySpan<byte> content, CompressionLevel level)
    {
        if (content.IsEmpty)
            return ([0x03, 0x00], new byte[8]);
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, level, leaveOpen: true))
            gzip.Write(content);
        byte[] member = compressed.ToArray();
        if (member[3] != 0)
            throw new InvalidOperationException("GZipStream wrote header fields this writer does not expect");
        return (member[10..^8], member[^8..]);
    }

    /// <summary>CRC-32 one bit at a time (RFC 1952's reflected polynomial 0xEDB88320), as the reference for FHCRC.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int bit = 0; bit < 8; bit++)
                c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1;
        }
        return ~c;
    }
}
