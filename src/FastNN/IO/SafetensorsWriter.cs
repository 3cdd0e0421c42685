using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastNN.IO;

/// <summary>
/// Writes a safetensors file to a stream in two steps: <see cref="WriteHeader"/> with every tensor's name, dtype and
/// shape (offsets follow from their order), then <see cref="WriteTensor{T}"/> once per tensor, in the same order.
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

    public void WriteHeader(IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
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
        long padded = (json.Length + 7) / 8 * 8;
        while (json.Length < padded)
            json.WriteByte((byte)' ');
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        json.Position = 0;
        json.CopyTo(stream);
    }

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
