using System.Buffers;
using System.Text;

namespace FastNN.IO;

/// <summary>What a text written into a file's UTF-8 header cannot hold.</summary>
internal static class Utf8Text
{
    /// <summary>
    /// The first lone surrogate of <paramref name="text"/>, described ("a lone surrogate (U+D800) at index 3, …"), or
    /// null. A lone surrogate has no UTF-8 encoding, so the header's JSON writer would put U+FFFD in its place: the file
    /// would hold another text than the one saved.
    /// </summary>
    public static string? LoneSurrogate(string text)
    {
        for (int i = 0, used; i < text.Length; i += used)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out used) != OperationStatus.Done)
                return $"a lone surrogate (U+{(int)text[i]:X4}) at index {i}, which a file cannot hold (UTF-8 has no encoding for it)";
        }
        return null;
    }
}
