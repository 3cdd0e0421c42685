using System.Reflection;
using System.Runtime.Loader;
using FastNN.Intrinsics;

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

    /// <summary>
    /// The other build's workloads of <paramref name="workloadType"/> (a type with a static <c>Create(string name)</c> and
    /// an <c>Action Run</c> property, as <see cref="Layers.LayerWorkload"/>), by name, its library set to one thread.
    /// </summary>
    public static Func<string, Action> Workloads(string directory, Type workloadType)
    {
        var build = new OtherBuild(directory);
        Type workload = build.LoadFromAssemblyName(new AssemblyName("FastNN.Benchmarks")).GetType(workloadType.FullName!, throwOnError: true)!;
        MethodInfo create = workload.GetMethod("Create", BindingFlags.Public | BindingFlags.Static)!;
        PropertyInfo run = workload.GetProperty("Run")!;
        build.LoadFromAssemblyName(new AssemblyName("FastNN.Intrinsics")).GetType(typeof(Parallelism).FullName!, throwOnError: true)!
            .GetProperty(nameof(Parallelism.MaxThreads))!.SetValue(null, 1);
        return name => (Action)run.GetValue(create.Invoke(null, [name]))!;
    }
}
