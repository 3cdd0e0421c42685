using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace FastNN.Tests.IO;

/// <summary>
/// A damage <see cref="Corruption"/> does not make, re-framed so that the edit, not the length, is what a reader meets:
/// a value a run cannot leave written into one element of a tensor (NaN, ±∞, −1, the extremes of I64); an escaped lone
/// surrogate inside a metadata value's JSON; one number of the header text (the offsets, the shapes, the architecture's
/// widths and batch, the checkpoint's counts) replaced by a negative, fractional, huge, overflowing or zero one; one
/// tensor's offsets set to another's (overlapping tensors); a shape of huge or overflowing dimensions.
/// </summary>
public sealed partial record HostileEdit(string Kind, int Target, int Value, int Pick)
{
    public static Gen<HostileEdit> Generator =>
        from kind in Gen.Elements("value", "value", "surrogate", "number", "number", "number", "overlap", "shape")
        from target in Gen.Choose(0, 1 << 20)
        from value in Gen.Choose(0, 1 << 20)
        from pick in Gen.Choose(0, 1 << 20)
        select new HostileEdit(kind, target, value, pick);

    private static readonly double[] Floats = [double.NaN, -1, double.PositiveInfinity, double.NegativeInfinity, -0.0, -1e-30, 1e300, 0];
    private static readonly long[] Counts = [-1, long.MinValue, long.MaxValue, 1L << 53, (1L << 24) + 1, 0];
    private static readonly string[] Numbers = ["-1", "1.5", "1e400", "-0", "1e2", "0", "4294967296", "9223372036854775808", "2147483648", "18446744073709551616", "-9223372036854775809", "1E-400"];
    private static readonly string[] Shapes = ["[4611686018427387904,4]", "[0,9223372036854775807]", "[]", "[2147483648]", "[3037000500,3037000500]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0]"];

    public byte[] Apply(byte[] file)
    {
        string header;
        byte[] data;
        JsonObject root;
        try
        {
            (header, data) = SafetensorsReference.Split(file);
            root = JsonNode.Parse(header)!.AsObject();
            _ = root.Count;   // parsed lazily: a repeated name only throws here
        }
        catch (Exception)
        {
            return file;   // an earlier damage already broke the frame or the JSON: nothing to edit
        }
        string[] tensors = [.. root.Where(p => p.Key != "__metadata__" && p.Value is JsonObject).Select(p => p.Key)];
        try
        {
            return Kind switch
            {
                "value" => WriteValue(root, tensors, header, data),
                "surrogate" => Surrogate(root, data),
                "number" => Number(header, data),
                "overlap" when tensors.Length > 1 => Overlap(root, tensors, data),
                "shape" when tensors.Length > 0 => Shape(root, tensors, data),
                _ => file,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            return file;   // an earlier damage left a field of another kind (offsets of 1.5, a dtype of 5): nothing to edit
        }
    }

    private byte[] WriteValue(JsonObject root, string[] tensors, string header, byte[] data)
    {
        if (tensors.Length == 0)
            return SafetensorsReference.Build(header, data);
        // A running variance or a count half the time, where the rules are; any tensor otherwise.
        string[] state = [.. tensors.Where(t => t.EndsWith(".running_var", StringComparison.Ordinal) || t.EndsWith(".num_batches_tracked", StringComparison.Ordinal))];
        string name = Pick % 2 == 0 && state.Length > 0 ? state[Target % state.Length] : tensors[Target % tensors.Length];
        JsonNode entry = root[name]!;
        if (entry["data_offsets"] is not JsonArray { Count: 2 } offsets || entry["dtype"]?.GetValue<string>() is not { } dtype
            || offsets[0]!.GetValueKind() != System.Text.Json.JsonValueKind.Number)
            return SafetensorsReference.Build(header, data);
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        int size = dtype == "F32" ? 4 : 8;
        if (begin < 0 || end > data.Length || end - begin < size)
            return SafetensorsReference.Build(header, data);
        byte[] copy = (byte[])data.Clone();
        Span<byte> element = copy.AsSpan((int)(begin + size * (Value % ((end - begin) / size))), size);
        switch (dtype)
        {
            case "F32": BinaryPrimitives.WriteSingleLittleEndian(element, (float)Floats[Pick / 2 % Floats.Length]); break;
            case "F64": BinaryPrimitives.WriteDoubleLittleEndian(element, Floats[Pick / 2 % Floats.Length]); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(element, Counts[Pick / 2 % Counts.Length]); break;
        }
        return SafetensorsReference.Build(header, copy);
    }

    // Inside a metadata value's own JSON, after one of its quotes: the value then holds the six characters \ud800,
    // which its JSON reads as a lone surrogate (or, outside a string, which make it invalid JSON).
    private byte[] Surrogate(JsonObject root, byte[] data)
    {
        if (root["__metadata__"] is not JsonObject metadata || metadata.Count == 0)
            return SafetensorsReference.Build(root.ToJsonString(), data);
        string key = metadata.Select(p => p.Key).ElementAt(Target % metadata.Count);
        if (metadata[key]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            return SafetensorsReference.Build(root.ToJsonString(), data);
        string text = metadata[key]!.GetValue<string>();
        int[] quotes = [.. text.Select((c, i) => (c, i)).Where(p => p.c == '"').Select(p => p.i + 1)];
        int at = quotes.Length > 0 ? quotes[Value % quotes.Length] : 0;
        metadata[key] = text[..at] + (Pick % 2 == 0 ? "\\ud800" : "\\udfff") + text[at..];
        return SafetensorsReference.Build(root.ToJsonString(), data);
    }

    // Any number of the header text, the escaped JSON of the architecture and the checkpoint included.
    private byte[] Number(string header, byte[] data)
    {
        MatchCollection numbers = NumberPattern().Matches(header);
        if (numbers.Count == 0)
            return SafetensorsReference.Build(header, data);
        Match m = numbers[Target % numbers.Count];
        return SafetensorsReference.Build(header[..m.Index] + Numbers[Value % Numbers.Length] + header[(m.Index + m.Length)..], data);
    }

    private byte[] Overlap(JsonObject root, string[] tensors, byte[] data)
    {
        string a = tensors[Target % tensors.Length], b = tensors[Value % tensors.Length];
        if (root[a]?["data_offsets"] is JsonNode source)
            root[b]!.AsObject()["data_offsets"] = source.DeepClone();
        return SafetensorsReference.Build(root.ToJsonString(), data);
    }

    private byte[] Shape(JsonObject root, string[] tensors, byte[] data)
    {
        root[tensors[Target % tensors.Length]]!.AsObject()["shape"] = JsonNode.Parse(Shapes[Value % Shapes.Length]);
        return SafetensorsReference.Build(root.ToJsonString(), data);
    }

    // A JSON number after a colon, bracket or comma (in the escaped inner JSON too, where the colon is a plain one).
    [GeneratedRegex(@"(?<=[:\[,])-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberPattern();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind}(target {Target}, value {Value}, pick {Pick})");
}
