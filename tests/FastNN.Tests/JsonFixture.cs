using System.Text.Json;

namespace FastNN.Tests;

/// <summary>
/// A JSON fixture committed beside the script that wrote it (tests/FastNN.Tests/Fixtures; the tests never run the
/// script), read from the source tree: found by walking up from the test binaries to the repository.
/// </summary>
internal static class JsonFixture
{
    /// <summary>The root of Fixtures/<paramref name="file"/>, checked to carry <paramref name="magic"/> and <paramref name="version"/> when given.</summary>
    /// <exception cref="FileNotFoundException">No directory above the test binaries holds the fixture.</exception>
    public static JsonElement Load(string file, string? magic = null, int? version = null)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "FastNN.Tests", "Fixtures", file);
            if (!File.Exists(path))
                continue;
            JsonElement root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            if (magic is not null)
                Assert.Equal(magic, root.GetProperty("magic").GetString());
            if (version is not null)
                Assert.Equal(version, root.GetProperty("version").GetInt32());
            return root;
        }
        throw new FileNotFoundException($"tests/FastNN.Tests/Fixtures/{file} not found above {AppContext.BaseDirectory}");
    }
}
