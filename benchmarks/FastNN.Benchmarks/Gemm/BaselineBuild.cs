using System.Reflection;
using System.Runtime.Loader;

namespace FastNN.Benchmarks.Gemm;

/// <summary>
/// FastNN.Intrinsics.dll from another build (the code before a change), loaded into a load context of its own, so
/// the paired rounds time the two builds alternately in one process (<c>paired --versus PATH</c>).
/// </summary>
internal sealed class BaselineBuild
{
    /// <summary>Gemm.Multiply's signature.</summary>
    public delegate void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc);

    private readonly Assembly _assembly;

    private BaselineBuild(Assembly assembly) => _assembly = assembly;

    /// <summary>Where it was loaded from.</summary>
    public string Location => _assembly.Location;

    /// <summary>Loads the FastNN.Intrinsics.dll at <paramref name="path"/>; its dependencies resolve as the current build's do.</summary>
    public static BaselineBuild Load(string path)
    {
        var context = new AssemblyLoadContext("baseline FastNN.Intrinsics");
        return new BaselineBuild(context.LoadFromAssemblyPath(Path.GetFullPath(path)));
    }

    /// <summary>The build's Gemm.Multiply for <typeparamref name="T"/>.</summary>
    public Multiply<T> Gemm<T>() =>
        _assembly.GetType("FastNN.Intrinsics.Gemm", throwOnError: true)!
            .GetMethod("Multiply", BindingFlags.Public | BindingFlags.Static)!
            .MakeGenericMethod(typeof(T)).CreateDelegate<Multiply<T>>();

    /// <summary>Sets the build's Parallelism.MaxThreads (its own, apart from the current build's).</summary>
    public void SetThreads(int threads) =>
        _assembly.GetType("FastNN.Intrinsics.Parallelism", throwOnError: true)!.GetProperty("MaxThreads")!.SetValue(null, threads);
}
