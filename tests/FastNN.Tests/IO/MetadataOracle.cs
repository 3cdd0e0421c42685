using System.Globalization;
using System.Text.Json;

namespace FastNN.Tests.IO;

/// <summary>
/// What a load that took a damaged file must have read of its metadata: saving the loaded model or run again records
/// every value the file records (see <see cref="AssertSame"/>).
/// </summary>
internal static class MetadataOracle
{
    // The keys a load reads (fastnn.version only says which layout the others have; a file may lack it, and
    // AssertSame checks it apart).
    public static readonly string[] ModelKeys = ["fastnn.architecture", "fastnn.task", "fastnn.class_labels", "fastnn.feature_names",
        "fastnn.target_name", "fastnn.input_standardization", "fastnn.target_standardization", "fastnn.notes"];

    /// <summary>
    /// What the damaged file records under <paramref name="keys"/> is what saving the loaded model or run records again:
    /// JSON values compared value for value (numbers as doubles), and every key of the file's JSON found again, so that
    /// nothing in the file was passed over. (The re-saved record may hold more: a file from an older build lacks parts.)
    /// </summary>
    public static void AssertSame(Dictionary<string, string> file, string again, string[] keys)
    {
        Dictionary<string, string> saved = SafetensorsReference.Decode(File.ReadAllBytes(again))!.Value.Metadata;
        // A file may lack the version, but one that has it loads only as the version this build writes: a damaged digit
        // is another layout, refused (a load that passed over it read the other keys as this layout's).
        if (file.TryGetValue("fastnn.version", out string? version))
            Assert.True(version == saved["fastnn.version"], $"fastnn.version is '{version}' in the file, '{saved["fastnn.version"]}' saved again");
        foreach (string key in keys)
        {
            Assert.True(file.ContainsKey(key) == saved.ContainsKey(key), $"{key} is in {(file.ContainsKey(key) ? "the file" : "the re-saved file")} only");
            if (!file.TryGetValue(key, out string? value))
                continue;
            if (key is "fastnn.task" or "fastnn.target_name")
            {
                Assert.Equal(value, saved[key]);
                continue;
            }
            using JsonDocument a = JsonDocument.Parse(value), b = JsonDocument.Parse(saved[key]);
            AssertContained(a.RootElement, b.RootElement, key);
        }
    }

    private static void AssertContained(JsonElement file, JsonElement saved, string at)
    {
        // A number past double's range (1e999) is the infinity a writer records as the string "Infinity".
        if (file.ValueKind == JsonValueKind.Number && saved.ValueKind == JsonValueKind.String && saved.GetString() is "Infinity" or "-Infinity")
        {
            Assert.True(double.Parse(file.GetRawText(), CultureInfo.InvariantCulture) == double.Parse(saved.GetString()!, CultureInfo.InvariantCulture),
                $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
            return;
        }
        Assert.True(file.ValueKind == saved.ValueKind, $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
        switch (file.ValueKind)
        {
            case JsonValueKind.Number:
                Assert.True(file.GetDouble().Equals(saved.GetDouble()), $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
                break;
            case JsonValueKind.String:
                Assert.True(file.GetString() == saved.GetString(), $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
                break;
            case JsonValueKind.Array:
                Assert.True(file.GetArrayLength() == saved.GetArrayLength(), $"{at} has {file.GetArrayLength()} items in the file, {saved.GetArrayLength()} saved again");
                for (int i = 0; i < file.GetArrayLength(); i++)
                    AssertContained(file[i], saved[i], $"{at}[{i}]");
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty p in file.EnumerateObject())
                {
                    Assert.True(saved.TryGetProperty(p.Name, out JsonElement value), $"{at}.{p.Name} is in the file, not saved again: the load passed over it");
                    AssertContained(p.Value, value, $"{at}.{p.Name}");
                }
                break;
        }
    }
}
