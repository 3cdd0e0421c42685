using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace FastNN.IO;

/// <summary>
/// The validated header of a safetensors file: an 8-byte little-endian length N, then N bytes of UTF-8 JSON mapping
/// each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (and <c>__metadata__</c> to a map of
/// strings), then the data section the offsets point into.
/// </summary>
/// <remarks>
/// <see cref="Read"/> checks everything a reader could trip on before anything is allocated from the file's numbers:
/// N is at most <see cref="MaxHeaderLength"/> and within the file; the header is valid UTF-8 and JSON; every dtype is
/// one FastNN reads; every size equals the shape's element count times the dtype's size; the tensors tile the data
/// section exactly (no gap, no overlap, nothing after the last one).
/// </remarks>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted, as the safetensors reference implementation (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
        ByName = tensors.ToDictionary(t => t.Name);
    }

    /// <summary>The tensors in the header's order.</summary>
    public IReadOnlyList<SafetensorsEntry> Tensors { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> ByName { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Offset of the data section in the file: 8 + N.</summary>
    public long DataStart { get; }

    /// <summary>Reads and checks the header at the start of <paramref name="stream"/>.</summary>
    /// <param name="stream">The file, positioned anywhere; its length is the file's.</param>
    /// <param name="path">The file's path, for messages.</param>
    /// <exception cref="ModelFileException">Anything is wrong; the message says what.</exception>
    public static SafetensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new ModelFileException(path, $"the file is {fileLength} bytes long, too short for a safetensors file (8-byte header length, then the header).");
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
            throw new ModelFileException(path, $"not a safetensors file, or a damaged one: the header length field says {headerLength} bytes, more than the {MaxHeaderLength} bytes (100 MB) a safetensors header may have.");
        if ((long)headerLength > fileLength - 8)
            throw new ModelFileException(path, $"the header length field says {headerLength} bytes but only {fileLength - 8} bytes follow it.");

        byte[] json = new byte[headerLength];
        stream.ReadExactly(json);
        if (!Utf8.IsValid(json))
            throw new ModelFileException(path, "the header is not valid UTF-8.");
        long dataStart = 8 + (long)headerLength;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"the header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(path, $"the header is a JSON {document.RootElement.ValueKind}, not an object.");
            List<SafetensorsEntry> tensors;
            Dictionary<string, string> metadata;
            try
            {
                (tensors, metadata) = Parse(document.RootElement, path);
            }
            catch (InvalidOperationException e)
            {
                // Valid UTF-8 may still escape a lone surrogate (\ud800), which System.Text.Json finds only when the text is read.
                throw new ModelFileException(path, $"the header holds a text that is not valid UTF-16: {e.Message}", e);
            }
            CheckTiling(tensors, fileLength - dataStart, path);
            return new SafetensorsHeader(tensors, metadata, dataStart);
        }
    }

    private static (List<SafetensorsEntry>, Dictionary<string, string>) Parse(JsonElement root, string path)
    {
        var tensors = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        var seen = new HashSet<string>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new ModelFileException(path, $"the header names '{property.Name}' twice.");
            if (property.Name == MetadataKey)
                ParseMetadata(property.Value, metadata, path);
            else
                tensors.Add(ParseTensor(property.Name, property.Value, path));
        }
        return (tensors, metadata);
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, $"{MetadataKey} is a JSON {value.ValueKind}; it must be an object of strings.");
        foreach (JsonProperty entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFileException(path, $"{MetadataKey}.{entry.Name} is a JSON {entry.Value.ValueKind}; metadata values must be strings.");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new ModelFileException(path, $"{MetadataKey} names '{entry.Name}' twice.");
        }
    }

    private static SafetensorsEntry ParseTensor(string name, JsonElement value, string path)
    {
        string at = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, $"{at} is a JSON {value.ValueKind}; it must be an object with dtype, shape and data_offsets.");
        JsonElement? dtypeText = null, shapeArray = null, offsetArray = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeText is null: dtypeText = field.Value; break;
                case "shape" when shapeArray is null: shapeArray = field.Value; break;
                case "data_offsets" when offsetArray is null: offsetArray = field.Value; break;
                default: throw new ModelFileException(path, $"{at} has an unexpected or repeated field '{field.Name}' (a tensor has dtype, shape and data_offsets).");
            }
        }
        if (dtypeText is not { ValueKind: JsonValueKind.String } d)
            throw new ModelFileException(path, $"{at} has no dtype string.");
        if (!SafetensorsDTypes.TryParse(d.GetString()!, out SafetensorsDType dtype))
            throw new ModelFileException(path, $"{at} has dtype '{d.GetString()}'; FastNN reads F32, F64 and I64.");
        long[] shape = Integers(shapeArray, at, "shape", path);
        long[] offsets = Integers(offsetArray, at, "data_offsets", path);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw new ModelFileException(path, $"{at} has data_offsets [{string.Join(", ", offsets)}]; they must be [begin, end] with begin ≤ end.");

        // A zero dimension leaves no element whatever the others are (so none of them can overflow the count).
        long elements = shape.Contains(0) ? 0 : 1;
        foreach (long dimension in shape)
        {
            if (elements != 0 && elements > Array.MaxLength / dimension)
                throw new ModelFileException(path, $"{at} has shape [{string.Join(", ", shape)}], more than the {Array.MaxLength} elements an array holds.");
            elements *= dimension;
        }
        long bytes = offsets[1] - offsets[0];
        if (bytes != elements * dtype.Size())
            throw new ModelFileException(path, $"{at} has data_offsets [{offsets[0]}, {offsets[1]}] ({bytes} bytes) but shape [{string.Join(", ", shape)}] of {dtype} takes {elements * dtype.Size()} bytes.");
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement? array, string at, string field, string path)
    {
        if (array is not { ValueKind: JsonValueKind.Array } a)
            throw new ModelFileException(path, $"{at} has no {field} array.");
        var values = new long[a.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in a.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw new ModelFileException(path, $"{at} has {field}[{i}] = {item.GetRawText()}; it must be a non-negative integer.");
            values[i++] = v;
        }
        return values;
    }

    // The tensors, ordered by offset, must cover [0, dataLength) exactly: begin of each = end of the previous.
    private static void CheckTiling(List<SafetensorsEntry> tensors, long dataLength, string path)
    {
        long end = 0;
        SafetensorsEntry? previous = null;
        foreach (SafetensorsEntry t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.End > dataLength)
                throw new ModelFileException(path, $"tensor '{t.Name}' has data_offsets [{t.Begin}, {t.End}] but the data section holds {dataLength} bytes.");
            if (t.Begin < end)
                throw new ModelFileException(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{t.Name}' [{t.Begin}, {t.End}] overlap.");
            if (t.Begin > end)
                throw new ModelFileException(path, $"bytes [{end}, {t.Begin}) of the data section belong to no tensor.");
            end = t.End;
            previous = t;
        }
        if (end != dataLength)
            throw new ModelFileException(path, $"{dataLength - end} bytes follow the last tensor (the tensors end at data byte {end}, the file at {dataLength}).");
    }
}
