using System.Runtime.InteropServices;

namespace FastNN.Cli;

/// <summary>
/// The type of a path's own entry on Linux, by statx(2), whose record is laid out alike on every architecture (stat's
/// is not); .NET tells files from folders and links, but not a device, a named pipe or a socket from a file.
/// </summary>
internal static class LinuxFileType
{
    private const int CurrentFolder = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW: the link itself, not its target
    private const uint TypeField = 0x1; // STATX_TYPE
    private const int ModeOffset = 28, RecordSize = 256; // stx_mode's place in struct statx, and the struct's size
    private const int TypeMask = 0xF000, Regular = 0x8000, Folder = 0x4000, Link = 0xA000; // S_IFMT, S_IFREG, S_IFDIR, S_IFLNK

    /// <summary>
    /// Whether <paramref name="path"/> is there and is neither a regular file, a folder nor a symbolic link (a device such
    /// as /dev/null, a named pipe, a socket); with <paramref name="followLinks"/>, whether what its links lead to is (a
    /// shell's <c>&lt;(…)</c>, /dev/fd/63, leads to a pipe). False when it cannot be asked.
    /// </summary>
    public static bool IsSpecial(string path, bool followLinks = false)
    {
        var record = new byte[RecordSize];
        try
        {
            if (statx(CurrentFolder, path, followLinks ? 0 : NoFollow, TypeField, record) != 0)
                return false;
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than statx (glibc before 2.28, musl before 1.2.5): the path cannot be asked.
            return false;
        }
        int type = BitConverter.ToUInt16(record, ModeOffset) & TypeMask;
        return type is not (Regular or Folder or Link);
    }

    /// <summary>
    /// Whether <paramref name="path"/> (a full path) is a symbolic link into /proc, as /dev/stdout, /dev/stderr and
    /// /dev/stdin are (to /proc/self/fd/N): a name the system gives a process's descriptor, not a file of the user's.
    /// </summary>
    public static bool IsDescriptorLink(string path) =>
        new FileInfo(path).LinkTarget is string target
        && Path.GetFullPath(target, Path.GetDirectoryName(path)!).StartsWith("/proc/", StringComparison.Ordinal);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] record);
}
