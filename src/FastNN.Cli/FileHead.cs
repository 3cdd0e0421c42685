using System.Buffers.Binary;

namespace FastNN.Cli;

/// <summary>
/// A model file and a CSV file given for each other (<c>--model rows.csv --data model.safetensors</c>), told by their first
/// bytes once the reader has refused them: its own message ("the header length field says 3204422680214595425 bytes",
/// "the header has 1 column") names no option.
/// </summary>
internal static class FileHead
{
    /// <summary>
    /// Whether <paramref name="stream"/> (read from its start, which it must be able to seek to) begins as a safetensors
    /// file: an 8-byte little-endian header length within the file, then the header's '{'.
    /// </summary>
    public static bool IsSafetensors(Stream stream)
    {
        Span<byte> head = stackalloc byte[9];
        stream.Position = 0;
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || head[8] != '{')
            return false;
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(head);
        return length >= 2 && length <= (ulong)stream.Length - 8;
    }

    /// <summary>
    /// Whether the regular file <paramref name="path"/> begins with text: no control character but tab and line ends in
    /// its first 64 bytes. A safetensors file never does: the high bytes of its header length are zeros.
    /// </summary>
    public static bool IsText(string path)
    {
        if (OperatingSystem.IsLinux() && LinuxFileType.IsSpecial(path, followLinks: true))
            return false; // a pipe's bytes were read by the refusal already, and a second read would wait for more
        Span<byte> head = stackalloc byte[64];
        int read;
        using (FileStream stream = File.OpenRead(path))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        foreach (byte b in head[..read])
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) || b == 0x7f)
                return false;
        }
        return read > 0;
    }
}
