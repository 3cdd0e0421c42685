using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastNN.Tests.IO;

/// <summary>
/// A JSON text as a tree the structured fuzzer edits where a JSON object model cannot: an object is a list of members
/// whose keys are raw JSON texts (so one key may be given twice, or written with escapes), and every scalar is kept as
/// its raw text (so a number may become <c>1e999</c> or <c>NaN</c>).
/// </summary>
internal abstract class FuzzJson
{
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static FuzzJson Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return From(document.RootElement);
    }

    /// <summary>A text as a JSON string, escaping only what JSON requires.</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text, Unescaped);

    private static FuzzJson From(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new Object([.. e.EnumerateObject().Select(p => new Member(Quote(p.Name), From(p.Value)))]),
        JsonValueKind.Array => new Array([.. e.EnumerateArray().Select(From)]),
        _ => new Leaf(e.GetRawText()),
    };

    /// <summary>A JSON string's text as a reader takes it; the raw text when it escapes a lone surrogate, which no reader takes.</summary>
    public static string Text(string raw)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(raw)!;
        }
        catch (JsonException)
        {
            return raw;
        }
    }

    /// <summary>The text, with <paramref name="gap"/> (JSON whitespace, or nothing) written between every two tokens.</summary>
    public string Write(Func<string>? gap = null)
    {
        var text = new StringBuilder();
        Write(text, gap ?? (() => ""));
        return text.ToString();
    }

    protected abstract void Write(StringBuilder text, Func<string> gap);

    /// <summary>This node and every node under it, depth first.</summary>
    public abstract IEnumerable<FuzzJson> Nodes();

    public sealed class Member(string key, FuzzJson value)
    {
        public string Key { get; set; } = key;

        public FuzzJson Value { get; set; } = value;

        public string Name => Text(Key);
    }

    public sealed class Object(List<Member> members) : FuzzJson
    {
        public List<Member> Members { get; } = members;

        public FuzzJson? this[string name] => Members.FirstOrDefault(m => m.Name == name)?.Value;

        protected override void Write(StringBuilder text, Func<string> gap)
        {
            text.Append('{');
            for (int i = 0; i < Members.Count; i++)
            {
                text.Append(gap()).Append(i > 0 ? "," + gap() : "").Append(Members[i].Key).Append(gap()).Append(':').Append(gap());
                Members[i].Value.Write(text, gap);
            }
            text.Append(gap()).Append('}');
        }

        public override IEnumerable<FuzzJson> Nodes() => Members.SelectMany(m => m.Value.Nodes()).Prepend(this);
    }

    public sealed class Array(List<FuzzJson> items) : FuzzJson
    {
        public List<FuzzJson> Items { get; } = items;

        protected override void Write(StringBuilder text, Func<string> gap)
        {
            text.Append('[');
            for (int i = 0; i < Items.Count; i++)
            {
                text.Append(gap()).Append(i > 0 ? "," + gap() : "");
                Items[i].Write(text, gap);
            }
            text.Append(gap()).Append(']');
        }

        public override IEnumerable<FuzzJson> Nodes() => Items.SelectMany(i => i.Nodes()).Prepend(this);
    }

    /// <summary>A number, string, true, false or null, as its raw text.</summary>
    public sealed class Leaf(string raw) : FuzzJson
    {
        public string Raw { get; set; } = raw;

        public bool IsString => Raw.StartsWith('"');

        public bool IsNumber => Raw.Length > 0 && (char.IsAsciiDigit(Raw[0]) || Raw[0] == '-');

        protected override void Write(StringBuilder text, Func<string> gap) => text.Append(Raw);

        public override IEnumerable<FuzzJson> Nodes() => [this];
    }
}
