namespace FastNN.Tests.Readme;

/// <summary>
/// The README's C# blocks are compiled and run as tests (Readme/Snippets): each test file holds its block verbatim, and
/// these tests hold the README and those files together, so an API change that breaks a block breaks the build, and an
/// edit of either side alone fails here.
/// </summary>
public class ReadmeSnippetTests
{
    private static string[] FileNames =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Readme", "Snippets"), "*.cs").Select(f => Path.GetFileName(f)).Order()];

    public static TheoryData<string> SnippetFiles => new(FileNames);

    [Theory]
    [MemberData(nameof(SnippetFiles))]
    public void EachSnippetFileIsOneOfTheReadmesCSharpBlocksCharacterForCharacter(string snippetFile)
    {
        string snippet = ReadmeText.Snippet(snippetFile);
        Assert.True(ReadmeText.CSharpBlocks.Contains(snippet),
            $"{snippetFile} holds a block the README does not have (or no longer has as it is):\n{snippet}");
    }

    [Fact]
    public void EveryCSharpBlockOfTheReadmeIsCompiledAndRunByASnippetFile()
    {
        var covered = FileNames.Select(ReadmeText.Snippet).ToHashSet();
        Assert.NotEmpty(ReadmeText.CSharpBlocks);
        foreach (string block in ReadmeText.CSharpBlocks)
            Assert.True(covered.Contains(block), $"This README block is in no file of tests/FastNN.Tests/Readme/Snippets:\n{block}");
    }
}
