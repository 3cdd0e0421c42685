using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace FastNN.Tests.Threading;

/// <summary>
/// FastNN.Intrinsics loaded into a collectible <see cref="AssemblyLoadContext"/>, run on its workers and its GEMM
/// workspaces, then <c>Parallelism.StopWorkers()</c> and unloaded: the context must go (Parallelism's docs promise
/// this is what StopWorkers is for). A private copy of the assembly: its statics, workers and pools are its own.
/// </summary>
[Collection(ParallelismCollection.Name)] // starts worker threads of its own copy
public class CollectibleLoadContextTests
{
    private delegate void MultiplyFloat(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    [Fact]
    public void AContextThatRanAParallelGemmUnloadsAfterStopWorkers()
    {
        WeakReference context = RunInCollectibleContext();
        // Unloading completes over a few collections; a context still alive after many is held by something.
        for (int i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the collectible context was still alive after 20 full collections");
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // nothing of the context may stay on this frame's stack
    private static WeakReference RunInCollectibleContext()
    {
        var context = new AssemblyLoadContext("FastNN.Intrinsics, collectible", isCollectible: true);
        Assembly intrinsics = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "FastNN.Intrinsics.dll"));
        Type parallelism = intrinsics.GetType("FastNN.Intrinsics.Parallelism", throwOnError: true)!;
        parallelism.GetProperty("MaxThreads")!.SetValue(null, Environment.ProcessorCount);
        var multiply = intrinsics.GetType("FastNN.Intrinsics.Gemm", throwOnError: true)!.GetMethod("Multiply")!
            .MakeGenericMethod(typeof(float)).CreateDelegate<MultiplyFloat>();

        // 512³: the packed path, split across every thread, on workspaces from the pool.
        const int n = 512;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = i % 7 - 3;
            b[i] = i % 5 - 2;
        }
        multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
        Assert.Equal(ReferenceElement(a, b, n, 3, 5), c[3 * n + 5]);

        parallelism.GetMethod("StopWorkers")!.Invoke(null, null);
        context.Unload();
        return new WeakReference(context);
    }

    /// <summary>C[i, j] of A·B in double (the products are small integers: exact in float too).</summary>
    private static float ReferenceElement(float[] a, float[] b, int n, int i, int j)
    {
        double sum = 0;
        for (int p = 0; p < n; p++)
            sum += (double)a[i * n + p] * b[p * n + j];
        return (float)sum;
    }
}
