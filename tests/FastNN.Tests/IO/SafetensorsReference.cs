using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace FastNN.Tests.IO;

/// <summary>One tensor as a file holds it: dtype name, shape and raw little-endian bytes.</summary>
internal sealed record RawTensor(string DType, long[] Shape, byte[] Bytes)
{
    /// <summary>The elements as doubles (F32 and F64 widened exactly, I64 converted).</summary>
    public double[] Values() => DType switch
    {
        "F32" => Enumerable.Range(0, Bytes.Length / 4).Select(i => (double)BinaryPrimitives.ReadSingleLittleEndian(Bytes.AsSpan(4 * i))).ToArray(),
        "F64" => Enumerable.Range(0, Bytes.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(Bytes.AsSpan(8 * i))).ToArray(),
        "I64" => Enumerable.Range(0, Bytes.Length / 8).Select(i => (double)BinaryPrimitives.ReadInt64LittleEndian(Bytes.AsSpan(8 * i))).ToArray(),
        _ => throw new InvalidDataException(DType),
    };
}

/// <summary>
/// The tests' own safetensors reader and writer, written from the format's description and independent of FastNN's:
/// a u64 little-endian header length N, N bytes of JSON, then the data the offsets point into.
/// </summary>
internal static class SafetensorsReference
{
    private static readonly Dictionary<string, int> Sizes = new() { ["F32"] = 4, ["F64"] = 8, ["I64"] = 8 };

    /// <summary>A file from a header text and a data section, the length field set to the header's byte count.</summary>
    public static byte[] Build(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    /// <summary>The header text and data section of a well-formed file.</summary>
    public static (string Header, byte[] Data) Split(byte[] file)
    {
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (Encoding.UTF8.GetString(file, 8, n), file[(8 + n)..]);
    }

    /// <summary>
    /// The tensors and metadata of a file that follows every rule of the format (null when one is broken): header
    /// length within the file and at most 100 MB, a UTF-8 JSON object, each name once, dtypes F32/F64/I64, sizes equal
    /// to shape × dtype size, and the tensors tiling the data exactly.
    /// </summary>
    public static (Dictionary<string, RawTensor> Tensors, Dictionary<string, string> Metadata)? Decode(byte[] file)
    {
        if (file.Length < 8)
            return null;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > 100_000_000 || n > (ulong)(file.Length - 8))
            return null;
        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file, 8, (int)n);
        }
        catch (ArgumentException)
        {
            return null;
        }
        byte[] data = file[(8 + (int)n)..];
        var tensors = new Dictionary<string, RawTensor>();
        var metadata = new Dictionary<string, string>();
        var ranges = new List<(long Begin, long End)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            var names = new HashSet<string>();
            foreach (JsonProperty p in document.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name))
                    return null;
                if (p.Name == "__metadata__")
                {
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(m.Name, m.Value.GetString()!))
                            return null;
                    }
                    continue;
                }
                if (p.Value.EnumerateObject().Select(f => f.Name).Order().SequenceEqual(["data_offsets", "dtype", "shape"]) is false)
                    return null;
                string dtype = p.Value.GetProperty("dtype") is { ValueKind: JsonValueKind.String } d ? d.GetString()! : "";
                long[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                long[] offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                if (!Sizes.TryGetValue(dtype, out int size) || shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0)
                    return null;
                System.Numerics.BigInteger bytes = shape.Aggregate(System.Numerics.BigInteger.One, (a, d) => a * d) * size;
                if (bytes != offsets[1] - offsets[0] || offsets[1] > data.Length)
                    return null;
                tensors[p.Name] = new RawTensor(dtype, shape, data[(int)offsets[0]..(int)offsets[1]]);
                ranges.Add((offsets[0], offsets[1]));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return null;
        }
        long end = 0;
        foreach ((long begin, long stop) in ranges.OrderBy(r => r.Begin).ThenBy(r => r.End))
        {
            if (begin != end)
                return null;
            end = stop;
        }
        return end == data.Length ? (tensors, metadata) : null;
    }
}
