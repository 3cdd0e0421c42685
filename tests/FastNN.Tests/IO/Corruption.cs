using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace FastNN.Tests.IO;

/// <summary>
/// One way of damaging a file: cut it, flip bytes, append bytes, rewrite the header length, or edit one field of the
/// header (dtype, shape, offsets, names, metadata, the architecture, the info, the checkpoint's progress) and re-frame
/// it so that the edit, not the length, is what the reader meets. <see cref="Target"/>, <see cref="Value"/> and
/// <see cref="Pick"/> choose where and what.
/// </summary>
public sealed record Corruption(string Kind, int Target, long Value, int Pick)
{
    public static Gen<Corruption> Generator =>
        from kind in Gen.Elements("truncate", "flip", "flip", "append", "length", "header", "header", "header", "header")
        from target in Gen.Choose(0, 1 << 20)
        from value in Gen.Choose(0, int.MaxValue)
        from pick in Gen.Choose(0, 1 << 20)
        select new Corruption(kind, target, value, pick);

    private static readonly long[] Dimensions = [0, 1, 2, 3, -1, 1L << 31, 1L << 62];
    private static readonly string[] DTypes = ["F16", "BF16", "I32", "F64", "F32", "I64", "x", "f32"];

    public byte[] Apply(byte[] file) => Kind switch
    {
        "truncate" => file[..(int)(Value % Math.Max(1, file.Length))],
        "flip" => Flip(file),
        "append" => [.. file, .. Enumerable.Repeat((byte)Pick, 1 + (int)(Value % 16))],
        "length" => Length(file),
        _ => EditHeader(file),
    };

    private byte[] Flip(byte[] file)
    {
        if (file.Length == 0)
            return file;
        byte[] copy = (byte[])file.Clone();
        // Half the flips land in the header, where they matter most.
        int headerEnd = file.Length >= 8 ? (int)Math.Min((ulong)file.Length, 8 + BinaryPrimitives.ReadUInt64LittleEndian(file)) : file.Length;
        int position = Pick % 2 == 0 ? Target % Math.Max(1, headerEnd) : Target % file.Length;
        copy[position] ^= (byte)(1 + Value % 255);
        return copy;
    }

    private byte[] Length(byte[] file)
    {
        if (file.Length < 8)
            return file;
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        ulong[] choices = [0, 1, (ulong)(n - 1), (ulong)(n + 1), (ulong)(n + 8), (ulong)(file.Length - 8), (ulong)(file.Length - 7),
            100_000_000, 100_000_001, 1UL << 40, ulong.MaxValue];
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, choices[Pick % choices.Length]);
        return copy;
    }

    private byte[] EditHeader(byte[] file)
    {
        JsonObject header;
        byte[] data;
        try
        {
            (string text, data) = SafetensorsReference.Split(file);
            header = JsonNode.Parse(text)!.AsObject();
            _ = header.Count;   // the object is parsed lazily: a repeated name only throws here
        }
        catch (Exception)
        {
            return file;   // an earlier corruption already broke the frame or the JSON: nothing to edit
        }
        string[] tensors = [.. header.Select(p => p.Key).Where(k => k != "__metadata__")];
        JsonObject? metadata = header["__metadata__"] as JsonObject;
        string tensor = tensors.Length > 0 ? tensors[Target % tensors.Length] : "none";
        JsonObject? entry = header[tensor] as JsonObject;
        switch (Pick % 12)
        {
            case 0 when entry is not null:
                entry["dtype"] = Value % 9 == 8 ? JsonValue.Create(5) : DTypes[Value % DTypes.Length];
                break;
            case 1 when (entry?["shape"] is JsonArray shape):
                if (Value % 5 == 4)
                    shape.Add(2);
                else if (Value % 5 == 3 && shape.Count > 0)
                    shape.RemoveAt(0);
                else if (shape.Count > 0)
                    shape[Target % shape.Count] = Value % 3 == 2 ? JsonValue.Create(1.5) : Dimensions[Value % Dimensions.Length];
                break;
            // Offsets another damage left whole numbers (not 1.5, not past a long).
            case 2 when (entry?["data_offsets"] is JsonArray { Count: 2 } offsets) && Whole(offsets[0], out long begin) && Whole(offsets[1], out long end):
                long[] choices = [begin + 1, end - 1, end + 4, 0, 1L << 62, -8, end, begin];
                offsets[(int)(Value % 2)] = choices[Target % choices.Length];
                break;
            case 3 when entry is not null:
                header.Remove(tensor);
                break;
            case 4 when entry is not null:
                header.Remove(tensor);
                header["9.weight"] = entry;
                break;
            case 5 when entry is not null:
                header["9.bias"] = entry.DeepClone();
                break;
            case 6 when entry is not null:
                entry["extra"] = 1;
                break;
            case 7 when metadata is not null && metadata.Count > 0:
                string key = metadata.Select(p => p.Key).ElementAt(Target % metadata.Count);
                if (Value % 2 == 0)
                    metadata.Remove(key);
                else
                    metadata[key] = 42;
                break;
            case 8 when (metadata?["fastnn.architecture"]?.GetValueKind() == JsonValueKind.String):
                metadata["fastnn.architecture"] = EditText(metadata["fastnn.architecture"]!.GetValue<string>(),
                    ("\"out_features\":4", "\"out_features\":5"), ("\"ReLU\"", "\"Foo\""), ("\"max_batch\":8", "\"max_batch\":0"),
                    ("\"max_batch\":8", "\"max_batch\":2147483647"), ("\"max_batch\":8", "\"max_batch\":100000000"), ("\"input_size\":3", "\"input_size\":0"),
                    ("\"Dropout\",\"p\":0.5", "\"Dropout\",\"p\":1.5"), ("\"eps\":1E-05", "\"eps\":-1"), ("\"layers\":[", "\"layers\":[{},"));
                break;
            case 9 when metadata is not null:
                (string Key, string Text)[] infos =
                [
                    ("fastnn.class_labels", "[1,2]"), ("fastnn.class_labels", "[\"a\"]"), ("fastnn.class_labels", "{"),
                    ("fastnn.task", "Regression"), ("fastnn.task", "Nope"), ("fastnn.task", "1"), ("fastnn.version", "2"),
                    ("fastnn.input_standardization", "{\"mean\":[0,0,0],\"scale\":[1,-1,1]}"),
                    ("fastnn.input_standardization", "{\"mean\":[0],\"scale\":[1]}"), ("fastnn.input_standardization", "[]"),
                    ("fastnn.feature_names", "[\"a\",null,\"c\"]"), ("fastnn.target_standardization", "{\"mean\":[0],\"scale\":[1]}"),
                ];
                (string infoKey, string infoText) = infos[Value % infos.Length];
                metadata[infoKey] = infoText;
                break;
            case 10 when (metadata?["fastnn.checkpoint"]?.GetValueKind() == JsonValueKind.String):
                metadata["fastnn.checkpoint"] = EditText(metadata["fastnn.checkpoint"]!.GetValue<string>(),
                    ("\"optimizer\":\"AdamW\"", "\"optimizer\":\"Adam\""), ("\"optimizer_steps\":", "\"optimizer_steps\":-"),
                    ("\"completed_epochs\":", "\"completed_epochs\":99999999999"), ("\"lr\":", "\"lr\":-"),
                    ("\"beta1\":0.9", "\"beta1\":1.5"), ("\"group.0.length\":", "\"group.0.length\":1"),
                    ("\"dropout_random\":[\"", "\"dropout_random\":[\"x"), ("\"shuffle_random\":[", "\"shuffle_random\":[\"0\",\"0\",\"0\",\"0\"],\"x\":["),
                    ("\"trainer_steps\":", "\"trainer_steps\":1.5"), ("{", "["));
                break;
            case 11 when entry is not null:
                // A name given twice, which a JSON object model cannot hold: splice the text.
                string text = header.ToJsonString();
                string duplicate = $",\"{tensor}\":{entry.ToJsonString()}}}";
                return Frame(text[..^1] + duplicate, data);
            default:
                return file;
        }
        return Frame(header.ToJsonString(), data);
    }

    private static bool Whole(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), out value);
    }

    private string EditText(string text, params (string From, string To)[] edits)
    {
        (string from, string to) = edits[Value % edits.Length];
        int at = text.IndexOf(from, StringComparison.Ordinal);
        return at < 0 ? text[..(int)(Value % Math.Max(1, text.Length))] : text[..at] + to + text[(at + from.Length)..];
    }

    private static byte[] Frame(string header, byte[] data) => SafetensorsReference.Build(header, data);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind}(target {Target}, value {Value}, pick {Pick})");
}
