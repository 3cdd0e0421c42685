using System.Reflection;
using System.Reflection.PortableExecutable;

namespace FastNN.Tests;

/// <summary>
/// Both libraries carry their symbols inside the assembly (an embedded portable PDB), so that the packages, which ship
/// the assembly and its XML docs alone, give a user's stack traces file names and line numbers inside FastNN and let a
/// debugger step into it.
/// </summary>
public class EmbeddedSymbolsTests
{
    public static TheoryData<string> Assemblies => new() { "FastNN", "FastNN.Intrinsics" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void TheLibraryEmbedsItsPortablePdb(string assemblyName)
    {
        using var pe = new PEReader(File.OpenRead(Assembly.Load(assemblyName).Location));
        DebugDirectoryEntryType[] entries = [.. pe.ReadDebugDirectory().Select(e => e.Type)];
        Assert.True(entries.Contains(DebugDirectoryEntryType.EmbeddedPortablePdb),
            $"{assemblyName}.dll embeds no portable PDB (debug directory: {string.Join(", ", entries)}); its package would ship no symbols.");
    }
}
