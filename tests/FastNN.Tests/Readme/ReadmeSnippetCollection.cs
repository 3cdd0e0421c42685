namespace FastNN.Tests.Readme;

/// <summary>The README snippets that read and write files in the current folder, as a user's program does; one at a time.</summary>
[CollectionDefinition(nameof(ReadmeSnippetCollection))]
public sealed class ReadmeSnippetCollection
{
    /// <summary>The snippets' relative paths (<c>data/digits.csv.gz</c>, <c>model.safetensors</c>) are taken from the
    /// current folder, which dotnet test sets to the test assembly's folder, where the project copies <c>data/</c>.</summary>
    public static void AssertRunFromTheTestFolder() =>
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(Directory.GetCurrentDirectory()));
}
