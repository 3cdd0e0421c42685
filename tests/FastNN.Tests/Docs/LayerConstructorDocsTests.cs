using System.Reflection;
using System.Xml.Linq;
using FastNN.Layers;

namespace FastNN.Tests.Docs;

/// <summary>
/// Every built-in layer's constructor validates its widths (ArgumentOutOfRangeException below 1), so its XML docs must
/// say so: each int parameter is named in an &lt;exception&gt; element (or the element speaks of "a width"), as the
/// style guide asks of every public method that throws.
/// </summary>
public class LayerConstructorDocsTests
{
    [Fact]
    public void EveryLayerConstructorDocumentsItsWidthCheck()
    {
        Assembly assembly = typeof(Dense<>).Assembly;
        XDocument docs = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "FastNN.xml"));
        Dictionary<string, XElement> members = docs.Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!);
        var missing = new List<string>();
        int checkedWidths = 0;
        foreach (Type type in assembly.GetExportedTypes().Where(t => !t.IsAbstract && IsLayer(t)))
        {
            foreach (ConstructorInfo ctor in type.GetConstructors())
            {
                ParameterInfo[] parameters = ctor.GetParameters();
                string id = $"M:{type.FullName}.#ctor({string.Join(",", parameters.Select(p => DocName(p.ParameterType)))})";
                XElement[] exceptions = members.TryGetValue(id, out XElement? member) ? [.. member.Elements("exception")] : [];
                foreach (ParameterInfo p in parameters.Where(p => p.ParameterType == typeof(int)))
                {
                    bool named = exceptions.Any(e => e.Descendants("paramref").Any(r => (string?)r.Attribute("name") == p.Name)
                        || e.Value.Contains("width", StringComparison.Ordinal));
                    checkedWidths++;
                    if (!named)
                        missing.Add($"{id}: {p.Name}");
                }
            }
        }
        Assert.True(checkedWidths >= 15, $"Only {checkedWidths} width parameters found: the walk over the layer types is broken.");
        Assert.True(missing.Count == 0, $"Layer constructors whose docs do not say they throw for a bad width:\n{string.Join("\n", missing)}");
    }

    private static bool IsLayer(Type t) =>
        t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILayer<>));

    // The documentation-comment ID of a parameter type (only the kinds layer constructors take).
    private static string DocName(Type t) => t switch
    {
        { IsGenericParameter: true } => "`" + t.GenericParameterPosition,
        { IsGenericType: true } => $"{t.Namespace}.{t.Name[..t.Name.IndexOf('`')]}{{{string.Join(",", t.GetGenericArguments().Select(DocName))}}}",
        _ => t.FullName!,
    };
}
