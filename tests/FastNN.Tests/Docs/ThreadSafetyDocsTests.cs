using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FastNN.Tests.Docs;

/// <summary>
/// Every public type of both libraries says in its XML docs whether it may be shared between threads: its summary or
/// remarks hold a sentence beginning "Thread safety:" (or "Thread-safe:"), so a reader finds it in one place.
/// </summary>
public class ThreadSafetyDocsTests
{
    public static TheoryData<string> Assemblies => new() { "FastNN", "FastNN.Intrinsics" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void EveryPublicTypeStatesItsThreadSafety(string assemblyName)
    {
        Assembly assembly = Assembly.Load(assemblyName);
        XDocument docs = XDocument.Load(Path.Combine(AppContext.BaseDirectory, assemblyName + ".xml"));
        Dictionary<string, string> texts = docs.Descendants("member")
            .Where(m => ((string?)m.Attribute("name"))?.StartsWith("T:", StringComparison.Ordinal) == true)
            .ToDictionary(m => ((string)m.Attribute("name")!)[2..], m => Regex.Replace(m.Value, @"\s+", " "));
        string[] missing = assembly.GetExportedTypes()
            .Select(t => t.FullName!.Replace('+', '.'))
            .Where(name => !texts.TryGetValue(name, out string? text) || !(text.Contains("Thread safety:", StringComparison.Ordinal) || text.Contains("Thread-safe:", StringComparison.Ordinal)))
            .Order()
            .ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} public types of {assemblyName} do not state their thread safety (\"Thread safety: ...\"):\n{string.Join("\n", missing)}");
    }
}
