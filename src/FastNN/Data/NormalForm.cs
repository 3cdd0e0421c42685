using System.Text;

namespace FastNN.Data;

/// <summary>
/// Text as column names and class labels are compared: in Unicode normal form C, so that an <c>é</c> written decomposed
/// (<c>e</c> and U+0301, as macOS may write it) matches the composed one a model recorded. Text holding a lone surrogate
/// has no normal form: it is compared as written, as all text is in .NET's globalization-invariant mode (no normalization
/// data: <see cref="string.Normalize()"/> returns the text unchanged there).
/// </summary>
internal static class NormalForm
{
    /// <summary><paramref name="text"/> in normal form C.</summary>
    public static string Of(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }

    /// <summary>The index of the first of <paramref name="texts"/> that is <paramref name="text"/> in normal form C, or -1.</summary>
    public static int IndexOf(IReadOnlyList<string> texts, string text)
    {
        string key = Of(text);
        for (int i = 0; i < texts.Count; i++)
        {
            if (Of(texts[i]) == key)
                return i;
        }
        return -1;
    }

    /// <summary>
    /// The indices of the first text of <paramref name="texts"/> that appears twice in normal form C, the earlier and the
    /// later; null when none does before the end or the first null entry (which the callers refuse on its own).
    /// </summary>
    public static (int First, int Second)? FirstRepeat(IReadOnlyList<string?> texts)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count && texts[i] is { } text; i++)
        {
            string key = Of(text);
            if (!seen.TryAdd(key, i))
                return (seen[key], i);
        }
        return null;
    }

    /// <summary>
    /// For a message naming <paramref name="first"/> twice, where <paramref name="second"/> is one text with it in normal
    /// form C: how the second is written, where it differs (the two print alike), else null.
    /// </summary>
    public static string? SecondWritten(string first, string second) =>
        first == second ? null : $"the second written '{second}': one text in Unicode normal form, decomposed characters composed";

    /// <summary>
    /// <paramref name="text"/> in normal form C: itself when it is already (most text is, so a row's label is looked up
    /// without a copy), else composed into <paramref name="scratch"/> (grown if needed).
    /// </summary>
    public static ReadOnlySpan<char> Of(ReadOnlySpan<char> text, ref char[] scratch)
    {
        try
        {
            if (text.IsNormalized(NormalizationForm.FormC))
                return text;
            int length = text.GetNormalizedLength(NormalizationForm.FormC);
            if (scratch.Length < length)
                scratch = new char[Math.Max(length, 2 * scratch.Length)];
            text.TryNormalize(scratch, out int written, NormalizationForm.FormC);
            return scratch.AsSpan(0, written);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }
}
