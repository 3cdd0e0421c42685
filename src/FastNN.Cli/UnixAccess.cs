using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FastNN.Cli;

/// <summary>
/// access(2) on Linux and macOS: whether a path leads to a file and this process may read or write it, asked without opening it. Opening to find out
/// is not neutral for every file: a named pipe's open waits for a reader, and its close ends what that reader reads.
/// </summary>
internal static class UnixAccess
{
    private const int Exists = 0, WriteOk = 2, ReadOk = 4; // F_OK, W_OK, R_OK
    private const int NoEntry = 2; // ENOENT, on Linux and macOS alike

    /// <summary>Null when <paramref name="path"/> may be written, else why not (the system's words, such as "Permission denied").</summary>
    public static string? WriteProblem(string path) => Problem(path, WriteOk);

    /// <summary>Null when <paramref name="path"/> may be read, else why not (the system's words, such as "Permission denied").</summary>
    public static string? ReadProblem(string path) => Problem(path, ReadOk);

    private static string? Problem(string path, int mode) =>
        access(path, mode) == 0 ? null : new Win32Exception(Marshal.GetLastPInvokeError()).Message;

    /// <summary>
    /// Whether <paramref name="path"/>, its symbolic links followed by the system, leads to a file: a link to no file does
    /// not; a loop of links does, so that writing it names the problem. The system follows the links of /dev/fd and
    /// /proc/self/fd to pipes and sockets too, which no path names (their targets read "pipe:[…]").
    /// </summary>
    public static bool LeadsToFile(string path) => access(path, Exists) == 0 || Marshal.GetLastPInvokeError() != NoEntry;

    [DllImport("libc", SetLastError = true)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
