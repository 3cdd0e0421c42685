using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace FastNN.IO;

/// <summary>An open safetensors file whose header has been read and checked; tensors are read on demand.</summary>
internal sealed class SafetensorsFile : IDisposable
{
    private readonly FileStream _stream;
    private byte[]? _chunk;

    private SafetensorsFile(string path, FileStream stream, SafetensorsHeader header) => (Path, _stream, Header) = (path, stream, header);

    public string Path { get; }

    public SafetensorsHeader Header { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>Opens <paramref name="path"/> and checks its header.</summary>
    /// <exception cref="ModelFileException">The header is wrong, or the path is a pipe or a socket, which cannot be read at the header's offsets.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (for instance <see cref="FileNotFoundException"/>).</exception>
    public static SafetensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            if (!stream.CanSeek)
                throw new ModelFileException(path, "not a regular file (a pipe or a socket, such as <(…), or /dev/stdin fed by a pipe): a safetensors file is read at the offsets its header gives, so copy it to a file first.");
            return new SafetensorsFile(path, stream, SafetensorsHeader.Read(stream, path));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>A problem with this file.</summary>
    public ModelFileException Error(string problem, Exception? inner = null) => new(Path, problem, inner);

    /// <summary>Reads <paramref name="entry"/>'s elements into <paramref name="destination"/>, converting to <typeparamref name="T"/>.</summary>
    /// <exception cref="ModelFileException">The file ended early (it changed after its header was checked), or a finite
    /// value is beyond <typeparamref name="T"/>'s range (an F64 value past float's, which would become an infinity the
    /// file does not hold).</exception>
    public void Read<T>(SafetensorsEntry entry, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination.Length != entry.Length)
            throw new ArgumentException($"Tensor '{entry.Name}' has {entry.Length} elements; the destination {destination.Length}.", nameof(destination));
        try
        {
            _stream.Position = Header.DataStart + entry.Begin;
            if (BitConverter.IsLittleEndian && entry.DType == SafetensorsDTypes.Of<T>())
            {
                foreach ((int start, int length) in entry.DType.Parts(destination.Length))
                    _stream.ReadExactly(MemoryMarshal.AsBytes(destination.Slice(start, length)));
                return;
            }
            int size = entry.DType.Size();
            _chunk ??= new byte[1 << 16];
            for (int done = 0; done < destination.Length;)
            {
                int count = Math.Min(_chunk.Length / size, destination.Length - done);
                Span<byte> bytes = _chunk.AsSpan(0, count * size);
                _stream.ReadExactly(bytes);
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> element = bytes.Slice(i * size, size);
                    T value = Decode<T>(element, entry.DType);
                    // Only an F64 value read as float can overflow.
                    if (!T.IsFinite(value) && entry.DType == SafetensorsDType.F64 && double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(element)))
                    {
                        string stored = BinaryPrimitives.ReadDoubleLittleEndian(element).ToString("R", CultureInfo.InvariantCulture);
                        throw ModelFileException.BeyondFloat(Path, $"tensor '{entry.Name}' element {done + i} is {stored}, beyond the range of float (it would load as an infinity the file does not hold); load the file as double.");
                    }
                    destination[done + i] = value;
                }
                done += count;
            }
        }
        catch (EndOfStreamException e)
        {
            throw Error($"the file ended while reading tensor '{entry.Name}' (it changed after its header was read).", e);
        }
    }

    /// <summary>Reads the counts of an I64 tensor into <paramref name="destination"/>, exactly.</summary>
    /// <exception cref="ModelFileException">The file ended early (it changed after its header was checked).</exception>
    public void ReadCounts(SafetensorsEntry entry, Span<long> destination)
    {
        if (entry.DType != SafetensorsDType.I64 || destination.Length != entry.Length)
            throw new ArgumentException($"Tensor '{entry.Name}' is {entry.DType} with {entry.Length} elements; the destination holds {destination.Length} counts.", nameof(destination));
        try
        {
            _stream.Position = Header.DataStart + entry.Begin;
            _stream.ReadExactly(MemoryMarshal.AsBytes(destination));
            if (!BitConverter.IsLittleEndian)
                BinaryPrimitives.ReverseEndianness(destination, destination);
        }
        catch (EndOfStreamException e)
        {
            throw Error($"the file ended while reading tensor '{entry.Name}' (it changed after its header was read).", e);
        }
    }

    private static T Decode<T>(ReadOnlySpan<byte> bytes, SafetensorsDType dtype) where T : unmanaged, IFloatingPointIeee754<T> => dtype switch
    {
        SafetensorsDType.F32 => T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(bytes)),
        SafetensorsDType.F64 => T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(bytes)),
        _ => T.CreateTruncating(BinaryPrimitives.ReadInt64LittleEndian(bytes)),
    };

    public void Dispose() => _stream.Dispose();
}
