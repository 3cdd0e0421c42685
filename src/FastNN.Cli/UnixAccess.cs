using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FastNN.Cli;

/// <summary>
/// access(2) on Linux and macOS: whether this process may write a file, asked without opening it. Opening to find out
/// is not neutral for every file: a named pipe's open waits for a reader, and its close ends what that reader reads.
/// </summary>
internal static class UnixAccess
{
    private const int WriteOk = 2; // W_OK

    /// <summary>Null when <paramref name="path"/> may be written, else why not (the system's words, such as "Permission denied").</summary>
    public static string? WriteProblem(string path) =>
        access(path, WriteOk) == 0 ? null : new Win32Exception(Marshal.GetLastPInvokeError()).Message;

    [DllImport("libc", SetLastError = true)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
