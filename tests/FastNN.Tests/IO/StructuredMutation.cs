using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FastNN.Tests.IO;

/// <summary>
/// One mutation of a safetensors file for the structured fuzzer, chosen by a seeded <see cref="Random"/>: bytes flipped,
/// inserted or deleted in the length field, the header or the data, the file cut or extended; or an edit of the header
/// as JSON, re-framed so that the edit, not the length, is what a reader meets. Some edits keep the file equivalent
/// (members reordered, keys and strings written with escapes, whitespace, padding, tensors laid out in another order,
/// an F32 tensor widened to F64): a load must then give exactly what the intact file gives. The others damage it.
/// </summary>
internal static class StructuredMutation
{
    private static readonly string[] Kinds =
    [
        "flip", "flip", "insert", "delete", "truncate", "extend",
        "reorder", "whitespace", "escape", "escape", "pad", "permute", "widen",
        "duplicate", "duplicate", "remove", "number", "number", "nonfinite", "nonfinite", "surrogate", "retype", "case",
        "swap", "overlap", "shape", "rename", "extra", "drop", "narrow",
    ];

    private static readonly string[] Numbers =
    [
        "-0", "0.0", "1.0", "1E0", "-1", "0.5", "1e-300", "1e-999", "1e18", "2147483648", "4294967297",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
    ];

    private static readonly string[] NonFinite = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e999\""];

    private static readonly string[] Values = ["null", "true", "false", "{}", "[]", "\"\"", "0", "\"x\"", "[[]]"];

    private static readonly string[] Shapes =
    [
        "[4294967296,4294967296]", "[4611686018427387904,4]", "[3037000500,3037000500]", "[0,9223372036854775807]",
        "[2147483648]", "[2147483647]", "[-1]", "[1.5]", "[]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
    ];

    private static readonly string[] Names = ["", " 0.weight", "0.Weight", "0.weight\\u0000", "00.weight", "0..weight", "9.weight", "optimizer.exp_avg", "early_stopping.best_parameters", "__metadata__ "];

    /// <summary>The file mutated once, what was done, and whether the result is equivalent to <paramref name="file"/>.</summary>
    public static (byte[] Bytes, string What, bool Equivalent) Apply(byte[] file, Random random)
    {
        string kind = Kinds[random.Next(Kinds.Length)];
        return kind switch
        {
            "flip" or "insert" or "delete" => Bytes(file, kind, random),
            "truncate" => Done(file[..random.Next(file.Length)], kind, false),
            "extend" => Done([.. file, .. Junk(random, 1 + random.Next(64))], kind, false),
            _ => Header(file, kind, random),
        };
    }

    private static (byte[], string, bool) Done(byte[] bytes, string what, bool equivalent) => (bytes, what, equivalent);

    // Bytes flipped, inserted or deleted in the length field, the header or the data.
    private static (byte[], string, bool) Bytes(byte[] file, string kind, Random random)
    {
        if (file.Length == 0)
            return Done(file, kind, false);
        ulong n = file.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(file) : 0;
        long headerEnd = (long)Math.Min((ulong)file.Length, 8 + Math.Min(n, (ulong)file.Length));
        (string region, long start, long end) = random.Next(3) switch
        {
            0 => ("length", 0L, (long)Math.Min(8, file.Length)),
            1 => ("header", (long)Math.Min(8, file.Length), headerEnd),
            _ => ("data", headerEnd, (long)file.Length),
        };
        if (end <= start)
            (region, start, end) = ("file", 0L, (long)file.Length);
        int at = (int)(start + random.NextInt64(end - start));
        int count = 1 + random.Next(8);
        string what = $"{kind} {region} byte {at}";
        switch (kind)
        {
            case "flip":
                byte[] copy = (byte[])file.Clone();
                copy[at] ^= (byte)(1 + random.Next(255));
                return Done(copy, what, false);
            case "insert":
                return Done([.. file[..at], .. Junk(random, count), .. file[at..]], $"{what} (+{count})", false);
            default:
                return Done([.. file[..at], .. file[Math.Min(file.Length, at + count)..]], $"{what} (-{count})", false);
        }
    }

    // Bytes as they come, JSON's own characters, or zeros.
    private static byte[] Junk(Random random, int count)
    {
        byte[] json = "{}[],:\" 0123456789-.eE\\u"u8.ToArray();
        int style = random.Next(3);
        return [.. Enumerable.Range(0, count).Select(_ => style switch
        {
            0 => (byte)random.Next(256),
            1 => json[random.Next(json.Length)],
            _ => (byte)0,
        })];
    }

    private static (byte[], string, bool) Header(byte[] file, string kind, Random random)
    {
        FuzzJson.Object root;
        byte[] data;
        try
        {
            (string header, data) = SafetensorsReference.Split(file);
            root = (FuzzJson.Object)FuzzJson.Parse(header);
        }
        catch (Exception)
        {
            return Done(file, $"{kind} (skipped: the frame or the JSON is broken already)", false);
        }
        List<Tensor> tensors = Tensors(root);
        bool equivalent = kind is "reorder" or "whitespace" or "escape" or "pad" or "permute" or "widen";
        string what = kind;
        Func<string>? gap = null;
        switch (kind)
        {
            case "whitespace":
                gap = () => new string([.. Enumerable.Range(0, random.Next(3)).Select(_ => " \t\r\n"[random.Next(4)])]);
                break;
            case "pad":
                break;
            case "permute" or "widen" or "narrow" or "drop" when tensors.Count > 0 && Tiled(tensors, data.Length):
                data = Relayout(kind, root, tensors, data, random, out what, out equivalent);
                break;
            case "swap" when tensors.Count > 1:
                Tensor a = tensors[random.Next(tensors.Count)], b = tensors[random.Next(tensors.Count)];
                (a.Entry.Members.First(m => m.Name == "data_offsets").Value, b.Entry.Members.First(m => m.Name == "data_offsets").Value) =
                    (b.Entry["data_offsets"]!, a.Entry["data_offsets"]!);
                what = $"swap offsets of '{a.Name}' and '{b.Name}'";
                break;
            case "overlap" when tensors.Count > 0:
                Tensor t = tensors[random.Next(tensors.Count)];
                long shift = new long[] { -8, -4, -1, 1, 4, 8 }[random.Next(6)];
                SetOffsets(t, t.Begin + shift, t.End + shift);
                what = $"shift '{t.Name}' by {shift}";
                break;
            case "shape" when tensors.Count > 0:
                t = tensors[random.Next(tensors.Count)];
                var shape = (FuzzJson.Array)t.Entry["shape"]!;
                switch (random.Next(4))
                {
                    case 0: shape.Items.Reverse(); break;
                    case 1: shape.Items.Insert(random.Next(shape.Items.Count + 1), new FuzzJson.Leaf("1")); break;
                    case 2: shape.Items.Clear(); shape.Items.Add(new FuzzJson.Leaf(t.Elements.ToString(CultureInfo.InvariantCulture))); break;
                    default: t.Entry.Members.First(m => m.Name == "shape").Value = FuzzJson.Parse(Shapes[random.Next(Shapes.Length)]); break;
                }
                what = $"shape of '{t.Name}' {t.Entry["shape"]!.Write()}";
                break;
            case "rename" when tensors.Count > 0:
                t = tensors[random.Next(tensors.Count)];
                string name = Names[random.Next(Names.Length)];
                root.Members.First(m => m.Value == t.Entry).Key = $"\"{name}\"";
                what = $"rename '{t.Name}' to '{name}'";
                break;
            case "extra":
                string extra = Names[random.Next(Names.Length)];
                root.Members.Insert(random.Next(root.Members.Count + 1), new FuzzJson.Member($"\"{extra}\"",
                    FuzzJson.Parse($"{{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[{data.Length},{data.Length}]}}")));
                what = $"add an empty tensor '{extra}'";
                break;
            default:
                what = Edit(root, kind, random, out bool done);
                equivalent &= done;
                break;
        }
        string text = root.Write(gap);
        // Padding: none, spaces to a multiple of 8 (as the safetensors library writes it), or any JSON whitespace.
        text += random.Next(3) switch
        {
            0 => "",
            1 => new string(' ', (8 - Encoding.UTF8.GetByteCount(text) % 8) % 8),
            _ => new string([.. Enumerable.Range(0, random.Next(17)).Select(_ => " \t\r\n"[random.Next(4)])]),
        };
        return Done(SafetensorsReference.Build(text, data), what, equivalent);
    }

    /// <summary>A tensor entry of the header whose offsets are two whole numbers.</summary>
    private sealed record Tensor(string Name, FuzzJson.Object Entry, long Begin, long End, string DType, long Elements);

    private static List<Tensor> Tensors(FuzzJson.Object root)
    {
        var tensors = new List<Tensor>();
        foreach (FuzzJson.Member m in root.Members)
        {
            if (m.Name == "__metadata__" || m.Value is not FuzzJson.Object entry)
                continue;
            if (entry["data_offsets"] is FuzzJson.Array { Items: [FuzzJson.Leaf b, FuzzJson.Leaf e] }
                && long.TryParse(b.Raw, CultureInfo.InvariantCulture, out long begin) && long.TryParse(e.Raw, CultureInfo.InvariantCulture, out long end)
                && entry["dtype"] is FuzzJson.Leaf { IsString: true } dtype && entry["shape"] is FuzzJson.Array shape
                && shape.Items.All(d => d is FuzzJson.Leaf l && long.TryParse(l.Raw, CultureInfo.InvariantCulture, out _)))
            {
                long elements = shape.Items.Aggregate(1L, (p, d) => p * long.Parse(((FuzzJson.Leaf)d).Raw, CultureInfo.InvariantCulture));
                tensors.Add(new Tensor(m.Name, entry, begin, end, dtype.Raw.Trim('"'), elements));
            }
        }
        return tensors;
    }

    private static bool Tiled(List<Tensor> tensors, long dataLength)
    {
        long end = 0;
        foreach (Tensor t in tensors.OrderBy(t => t.Begin))
        {
            if (t.Begin != end || t.End < t.Begin || t.DType is not ("F32" or "F64" or "I64") || t.End - t.Begin != t.Elements * (t.DType == "F32" ? 4 : 8))
                return false;
            end = t.End;
        }
        return end == dataLength;
    }

    private static void SetOffsets(Tensor t, long begin, long end) =>
        t.Entry.Members.First(m => m.Name == "data_offsets").Value = FuzzJson.Parse($"[{begin},{end}]");

    // The data laid out again, tensor by tensor in a new order: all of them (permute), one F32 widened to F64 or one F64
    // narrowed to F32 (its values converted), or one dropped.
    private static byte[] Relayout(string kind, FuzzJson.Object root, List<Tensor> tensors, byte[] data, Random random, out string what, out bool equivalent)
    {
        Tensor[] order = [.. tensors.OrderBy(_ => random.Next())];
        string from = kind == "widen" ? "F32" : "F64";
        Tensor[] candidates = kind == "drop" ? tensors.ToArray() : [.. tensors.Where(t => t.DType == from)];
        Tensor? chosen = kind == "permute" || candidates.Length == 0 ? null : candidates[random.Next(candidates.Length)];
        what = chosen is null ? "permute the data" : $"{kind} '{chosen.Name}'";
        equivalent = kind is "permute" or "widen";
        var output = new List<byte>();
        foreach (Tensor t in order)
        {
            byte[] bytes = data[(int)t.Begin..(int)t.End];
            if (t == chosen && kind == "drop")
            {
                root.Members.RemoveAll(m => m.Value == t.Entry);
                continue;
            }
            if (t == chosen)
            {
                bytes = kind == "widen" ? Convert(bytes, 4, b => BitConverter.GetBytes((double)BinaryPrimitives.ReadSingleLittleEndian(b)))
                    : Convert(bytes, 8, b => BitConverter.GetBytes((float)BinaryPrimitives.ReadDoubleLittleEndian(b)));
                t.Entry.Members.First(m => m.Name == "dtype").Value = new FuzzJson.Leaf(kind == "widen" ? "\"F64\"" : "\"F32\"");
            }
            SetOffsets(t, output.Count, output.Count + bytes.Length);
            output.AddRange(bytes);
        }
        return [.. output];
    }

    private static byte[] Convert(byte[] bytes, int size, Func<byte[], byte[]> element) =>
        [.. Enumerable.Range(0, bytes.Length / size).SelectMany(i => element(bytes[(size * i)..(size * (i + 1))]))];

    // An edit of the header tree or of a JSON value inside its metadata (the architecture, the checkpoint's record, the info).
    private static string Edit(FuzzJson.Object root, string kind, Random random, out bool done)
    {
        FuzzJson scope = root;
        FuzzJson.Leaf? holder = null;
        string where = "header";
        if (random.Next(2) == 0 && root["__metadata__"] is FuzzJson.Object metadata)
        {
            var nested = metadata.Members.Where(m => m.Value is FuzzJson.Leaf { IsString: true } l && Nested(l) is not null).ToList();
            if (nested.Count > 0)
            {
                FuzzJson.Member m = nested[random.Next(nested.Count)];
                holder = (FuzzJson.Leaf)m.Value;
                scope = Nested(holder)!;
                where = m.Name;
            }
        }
        string what = Edit(scope, kind, random, out done);
        if (holder is not null)
            holder.Raw = FuzzJson.Quote(scope.Write());
        return $"{what} in {where}";
    }

    private static FuzzJson? Nested(FuzzJson.Leaf leaf)
    {
        string text = FuzzJson.Text(leaf.Raw);
        if (!text.StartsWith('{') && !text.StartsWith('['))
            return null;
        try
        {
            return FuzzJson.Parse(text);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null; // not JSON, or a key escaping a lone surrogate, which no reader takes
        }
    }

    private static string Edit(FuzzJson scope, string kind, Random random, out bool done)
    {
        FuzzJson[] nodes = [.. scope.Nodes()];
        FuzzJson.Object[] objects = [.. nodes.OfType<FuzzJson.Object>().Where(o => o.Members.Count > 0)];
        FuzzJson.Leaf[] strings = [.. nodes.OfType<FuzzJson.Leaf>().Where(l => l.IsString)], numbers = [.. nodes.OfType<FuzzJson.Leaf>().Where(l => l.IsNumber)];
        done = true;
        switch (kind)
        {
            case "reorder" when objects.Length > 0:
                FuzzJson.Object o = objects[random.Next(objects.Length)];
                var shuffled = o.Members.OrderBy(_ => random.Next()).ToList();
                o.Members.Clear();
                o.Members.AddRange(shuffled);
                return "reorder members";
            case "escape":
                // A key or a string, some characters written as \uXXXX (either case) or "/" as "\/".
                var keys = objects.SelectMany(x => x.Members).ToList();
                if (keys.Count > 0 && random.Next(2) == 0)
                {
                    FuzzJson.Member m = keys[random.Next(keys.Count)];
                    m.Key = Escaped(m.Name, random);
                    return $"escape key '{m.Name}'";
                }
                if (strings.Length == 0)
                    break;
                FuzzJson.Leaf s = strings[random.Next(strings.Length)];
                string value = FuzzJson.Text(s.Raw);
                s.Raw = Escaped(value, random);
                return $"escape string '{Short(value)}'";
            case "duplicate" when objects.Length > 0:
                o = objects[random.Next(objects.Length)];
                FuzzJson.Member source = o.Members[random.Next(o.Members.Count)];
                FuzzJson copy = random.Next(2) == 0 ? FuzzJson.Parse(source.Value.Write()) : FuzzJson.Parse(o.Members[random.Next(o.Members.Count)].Value.Write());
                o.Members.Insert(random.Next(o.Members.Count + 1), new FuzzJson.Member(random.Next(2) == 0 ? source.Key : Escaped(source.Name, random), copy));
                return $"duplicate key '{source.Name}'";
            case "remove" when objects.Length > 0:
                o = objects[random.Next(objects.Length)];
                FuzzJson.Member removed = o.Members[random.Next(o.Members.Count)];
                o.Members.Remove(removed);
                return $"remove '{removed.Name}'";
            case "number" or "nonfinite" when numbers.Length > 0:
                FuzzJson.Leaf n = numbers[random.Next(numbers.Length)];
                string old = n.Raw;
                n.Raw = kind == "number" ? Numbers[random.Next(Numbers.Length)] : NonFinite[random.Next(NonFinite.Length)];
                return $"number {old} → {n.Raw}";
            case "surrogate" when strings.Length > 0 || objects.Length > 0:
                string lone = random.Next(2) == 0 ? "\\ud800" : "\\uDFFF";
                if (objects.Length > 0 && (strings.Length == 0 || random.Next(2) == 0))
                {
                    FuzzJson.Member m = objects[random.Next(objects.Length)].Members[0];
                    m.Key = m.Key.Insert(1, lone);
                    return $"lone surrogate in key '{m.Name}'";
                }
                s = strings[random.Next(strings.Length)];
                s.Raw = s.Raw.Insert(1, lone);
                return "lone surrogate in a string";
            case "retype" when objects.Length > 0:
                o = objects[random.Next(objects.Length)];
                FuzzJson.Member member = o.Members[random.Next(o.Members.Count)];
                member.Value = new FuzzJson.Leaf(Values[random.Next(Values.Length)]);
                return $"'{member.Name}' made {((FuzzJson.Leaf)member.Value).Raw}";
            case "case" when strings.Length > 0:
                s = strings[random.Next(strings.Length)];
                string text = FuzzJson.Text(s.Raw);
                s.Raw = FuzzJson.Quote(random.Next(2) == 0 ? text.ToUpperInvariant() : text.ToLowerInvariant());
                return $"case of '{Short(text)}'";
        }
        done = false;
        return $"{kind} (nothing to edit)";
    }

    private static string Escaped(string text, Random random)
    {
        var escaped = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '/' && random.Next(2) == 0)
                escaped.Append("\\/");
            else if (c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c) || random.Next(3) == 0)
                escaped.Append(random.Next(2) == 0 ? $"\\u{(int)c:x4}" : $"\\u{(int)c:X4}");
            else
                escaped.Append(c);
        }
        return escaped.Append('"').ToString();
    }

    private static string Short(string text) => text.Length <= 24 ? text : text[..24] + "…";
}
