using System.Runtime.InteropServices;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>Sets variables in the process's native environment, which native libraries read with getenv.</summary>
/// <remarks>
/// On Linux, <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only the runtime's own copy;
/// a native library loaded later (OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS when it loads)
/// still sees the old value. libc's setenv changes the one getenv reads.
/// </remarks>
internal static partial class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (setenv(name, value, 1) != 0)
                throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);
}
