using System.Text.RegularExpressions;

namespace FastNN.Tests.Readme;

/// <summary>
/// The README and the test files that hold its C# blocks, copied next to the test assembly by the project file. A
/// snippet file marks what the README shows with <c>#region README</c> … <c>#endregion</c> (as many parts as it needs,
/// such as the using lines at the top and the statements inside a test method); the README block is those parts' lines,
/// each part shifted left by its least indentation, one after another.
/// </summary>
internal static partial class ReadmeText
{
    public static string Text { get; } = Normalize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")));

    /// <summary>Every <c>```csharp</c> block of the README, without its fences.</summary>
    public static IReadOnlyList<string> CSharpBlocks { get; } =
        [.. CSharpBlock().Matches(Text).Select(m => m.Groups["code"].Value)];

    /// <summary>The README block that <paramref name="snippetFile"/> (a file of Readme/Snippets) holds.</summary>
    public static string Snippet(string snippetFile)
    {
        string[] lines = Normalize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "Snippets", snippetFile))).Split('\n');
        var snippet = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "#region README")
                continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "#endregion");
            Assert.True(end > i, $"{snippetFile}: a '#region README' without its '#endregion'");
            string[] part = lines[(i + 1)..end];
            int indent = part.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            snippet.AddRange(part.Select(l => l.Length > indent ? l[indent..] : l.TrimStart()));
            i = end;
        }
        Assert.True(snippet.Count > 0, $"{snippetFile} has no '#region README'");
        return string.Join('\n', snippet) + "\n";
    }

    /// <summary>The README's text with its line breaks and runs of spaces made single spaces, to find a sentence or a quoted
    /// message that the README wraps over two lines.</summary>
    public static string Prose { get; } = Spaces().Replace(Text, " ");

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
