using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Baselines;

/// <summary>OpenBLAS's cblas_sgemm/cblas_dgemm through P/Invoke: the GEMM baseline, loaded only if present.</summary>
/// <remarks>
/// Debian's libopenblas0 is built with DYNAMIC_ARCH: it picks its kernels when it loads, from
/// OPENBLAS_CORETYPE if set. Its autodetection chooses a slow kernel (Prescott) on some AVX-512 machines here,
/// so <see cref="ConfigureEnvironment"/> names the kernel set of FastNN's own path (SkylakeX for AVX-512, Haswell
/// when the process runs the AVX2 path), and must run before the library loads. The thread count is then set per
/// benchmark with openblas_set_num_threads.
/// </remarks>
internal static unsafe class OpenBlas
{
    public const string LibraryName = "libopenblas.so.0";
    public const string Category = "OpenBLAS";

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly Lazy<Entry?> Library = new(Load);

    /// <summary>Why the baseline cannot run, or null when it can.</summary>
    public static string? Problem => Library.Value is null ? $"{LibraryName} not found (Debian: apt-get install libopenblas0): OpenBLAS benchmarks skipped." : null;

    /// <summary>OpenBLAS's name for the kernel set it chose, e.g. "SkylakeX".</summary>
    public static string CoreName => Library.Value is { } e ? Marshal.PtrToStringUTF8((nint)e.GetCoreName()) ?? "?" : "absent";

    /// <summary>
    /// Sets OPENBLAS_CORETYPE to the kernels of FastNN's path on a CPU with AVX-512 (overriding an inherited value:
    /// some environments here export Haswell): SkylakeX when the process may use AVX-512, Haswell when it runs with
    /// DOTNET_EnableAVX512=0, so the AVX2 path is compared with OpenBLAS's AVX2 kernels. Sets OPENBLAS_NUM_THREADS to
    /// the processor count.
    /// </summary>
    /// <returns>What it changed, for the log.</returns>
    public static string ConfigureEnvironment()
    {
        string before = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "unset";
        if (CpuHasAvx512())
            NativeEnvironment.Set("OPENBLAS_CORETYPE", Avx512F.IsSupported ? "SkylakeX" : "Haswell");
        // The pool OpenBLAS creates at load is its maximum; openblas_set_num_threads then picks per benchmark.
        NativeEnvironment.Set("OPENBLAS_NUM_THREADS", Environment.ProcessorCount.ToString());
        return $"OPENBLAS_CORETYPE {before} -> {Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "unset"}, " +
            $"OPENBLAS_NUM_THREADS {Environment.ProcessorCount}";
    }

    public static void SetThreads(int threads)
    {
        if (Library.Value is { } e)
            e.SetNumThreads(threads);
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C, row-major, for float or double.</summary>
    public static void Gemm<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) where T : unmanaged
    {
        Entry e = Library.Value ?? throw new InvalidOperationException(Problem);
        int ta = transposeA ? Trans : NoTrans, tb = transposeB ? Trans : NoTrans;
        if (typeof(T) == typeof(float))
            e.Sgemm(RowMajor, ta, tb, m, n, k, (float)(object)alpha, (float*)a, lda, (float*)b, ldb, (float)(object)beta, (float*)c, ldc);
        else if (typeof(T) == typeof(double))
            e.Dgemm(RowMajor, ta, tb, m, n, k, (double)(object)alpha, (double*)a, lda, (double*)b, ldb, (double)(object)beta, (double*)c, ldc);
        else
            throw new NotSupportedException($"OpenBLAS has no GEMM for {typeof(T).Name}.");
    }

    // The runtime's switches (DOTNET_EnableAVX512=0) hide AVX-512 from IsSupported; CPUID still shows the CPU's.
    private static bool CpuHasAvx512() =>
        Avx512F.IsSupported || (X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0);

    private static Entry? Load()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out nint handle))
            return null;
        return new Entry(
            (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(handle, "cblas_sgemm"),
            (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)NativeLibrary.GetExport(handle, "cblas_dgemm"),
            (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads"),
            (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "openblas_get_corename"));
    }

    private sealed class Entry(
        delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm,
        delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> dgemm,
        delegate* unmanaged<int, void> setNumThreads,
        delegate* unmanaged<byte*> getCoreName)
    {
        public readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm = sgemm;
        public readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemm = dgemm;
        public readonly delegate* unmanaged<int, void> SetNumThreads = setNumThreads;
        public readonly delegate* unmanaged<byte*> GetCoreName = getCoreName;
    }
}
