using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastNN.IO;

/// <summary>
/// Writes a safetensors file to a stream in two steps: <see cref="WriteHeader"/> with the <see cref="Header"/> of every
/// tensor's name, dtype and shape (offsets follow from their order), then <see cref="WriteTensor{T}"/> once per tensor,
/// in the same order.
/// </summary>
/// <remarks>The header is padded with spaces to a multiple of 8 bytes, as the safetensors library does, so the data
/// section starts 8-byte aligned.</remarks>
internal sealed class SafetensorsWriter(Stream stream)
{
    private byte[]? _chunk;

    /// <summary>A tensor to declare in the header.</summary>
    public sealed record Tensor(string Name, SafetensorsDType DType, int[] Shape)
    {
        public long Bytes => (long)Layers.TensorShape.Length(Shape) * DType.Size();
    }

    /// <summary>
    /// The header declaring <paramref name="tensors"/> and <paramref name="metadata"/>, length field first, built before
    /// the file is opened so that one too large is refused with nothing written.
    /// </summary>
    /// <exception cref="ArgumentException">The header is longer than <see cref="SafetensorsHeader.MaxHeaderLength"/>, which
    /// Load refuses (parameter <c>info</c>: its texts are all that can grow so far).</exception>
    public static byte[] Header(IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        json.Write(stackalloc byte[8]);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(SafetensorsHeader.MetadataKey);
            foreach ((string key, string value) in metadata)
                writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            foreach (Tensor t in tensors)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType.ToString());
                writer.WriteStartArray("shape");
                foreach (int d in t.Shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += t.Bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        long padded = (json.Length - 8 + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MaxHeaderLength)
            throw new ArgumentException(
                $"The file would have a header of {padded} bytes, more than the {SafetensorsHeader.MaxHeaderLength} bytes (100 MB) a safetensors header may have (Load would refuse it); shorten the info's texts (Notes, FeatureNames, ClassLabels).",
                "info");
        while (json.Length < 8 + padded)
            json.WriteByte((byte)' ');
        byte[] header = json.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        return header;
    }

    /// <summary>Writes a header <see cref="Header"/> built, before the tensors.</summary>
    public void WriteHeader(byte[] header) => stream.Write(header);

    /// <summary>Writes the next tensor's elements as <paramref name="dtype"/> (I64 rounds nothing: the values must be integers).</summary>
    public void WriteTensor<T>(ReadOnlySpan<T> values, SafetensorsDType dtype) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (BitConverter.IsLittleEndian && dtype == SafetensorsDTypes.Of<T>())
        {
            foreach ((int start, int length) in dtype.Parts(values.Length))
                stream.Write(MemoryMarshal.AsBytes(values.Slice(start, length)));
            return;
        }
        int size = dtype.Size();
        _chunk ??= new byte[1 << 16];
        for (int done = 0; done < values.Length;)
        {
            int count = Math.Min(_chunk.Length / size, values.Length - done);
            Span<byte> bytes = _chunk.AsSpan(0, count * size);
            for (int i = 0; i < count; i++)
                Encode(bytes.Slice(i * size, size), values[done + i], dtype);
            stream.Write(bytes);
            done += count;
        }
    }

    /// <summary>Writes the next tensor's elements, counts, as I64.</summary>
    public void WriteCounts(ReadOnlySpan<long> counts)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(counts));
            return;
        }
        Span<byte> bytes = stackalloc byte[8];
        foreach (long count in counts)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, count);
            stream.Write(bytes);
        }
    }

    private static void Encode<T>(Span<byte> bytes, T value, SafetensorsDType dtype) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (dtype)
        {
            case SafetensorsDType.F32: BinaryPrimitives.WriteSingleLittleEndian(bytes, float.CreateTruncating(value)); break;
            case SafetensorsDType.F64: BinaryPrimitives.WriteDoubleLittleEndian(bytes, double.CreateTruncating(value)); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(bytes, long.CreateChecked(value)); break;
        }
    }
}
