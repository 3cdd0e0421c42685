using System.Reflection;
using System.Runtime.Loader;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// Another build's own three assemblies (FastNN, FastNN.Intrinsics, FastNN.Benchmarks), loaded from its output directory
/// into a load context of their own, so that a report times the code before a change beside the code after it in one
/// process; everything else resolves as this build's.
/// </summary>
internal sealed class OtherBuild(string directory) : AssemblyLoadContext("versus build")
{
    protected override Assembly? Load(AssemblyName name) =>
        name.Name is "FastNN" or "FastNN.Intrinsics" or "FastNN.Benchmarks"
            ? LoadFromAssemblyPath(Path.Combine(directory, name.Name + ".dll"))
            : null;
}
