namespace FastNN.IO;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder, which is flushed to the disk
/// and then renamed over the target. Readers see the old file or the new one, never a part; a failure while writing
/// deletes the temporary file and leaves the old one as it was. A path that is a symbolic link writes the file the link
/// names (the link stays), and a replaced file keeps its permissions (on Unix, its mode), as an editor or cp does.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist (the message names the target).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written (the message names the target).</exception>
    /// <exception cref="IOException">The path's symbolic links form a loop, the temporary file cannot be created, or <paramref name="write"/>, the flush or the rename fails.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        // A symbolic link is written through to the file it names, every link on the path followed as the system follows
        // them, as an editor or cp does: renaming over the link itself would replace it with a regular file and leave its
        // target as it was.
        string target = SymbolicLinks.Followed(path);
        if (SymbolicLinks.LinkTarget(target) is not null)
            throw new IOException($"Cannot write '{Path.GetFullPath(path)}': its symbolic links form a loop (or a chain of more than {SymbolicLinks.MaxLinks}).");
        string folder = Path.GetDirectoryName(target)!;
        // A rename is atomic only within one file system, hence the same folder; the dot hides it from listings.
        string temporary = Path.Combine(folder, $".{Prefix(Path.GetFileName(target))}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try
        {
            stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(e, target, folder);
        }
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            // The replaced file's permissions stay, as an editor or cp keeps them, rather than becoming the umask default.
            if (!OperatingSystem.IsWindows() && File.Exists(target))
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The original error says more than a failed clean-up (such as a missing folder) would.
            }
            throw;
        }
    }

    // The runtime's message names the temporary file, which the caller never heard of: name the target and its folder
    // instead, keeping the two types callers test for (missing folder, access denied; any other is an IOException), with
    // the original as the inner exception.
    private static Exception Unwritable(Exception e, string target, string folder) => e switch
    {
        DirectoryNotFoundException => new DirectoryNotFoundException($"Cannot write '{target}': the folder '{folder}' does not exist.", e),
        UnauthorizedAccessException => new UnauthorizedAccessException($"Cannot write '{target}': access to the folder '{folder}' is denied (a save writes a temporary file there, then renames it over the target).", e),
        _ => new IOException($"Cannot write '{target}': a temporary file cannot be created in '{folder}' ({e.Message})", e),
    };

    // The start of the target's name, enough to tell whose a left-over temporary file is: at most 64 characters (192
    // UTF-8 bytes), so that with the 38 added the name stays within the 255 bytes file systems allow any name.
    private static string Prefix(string name)
    {
        const int Length = 64;
        if (name.Length <= Length)
            return name;
        return name[..(char.IsHighSurrogate(name[Length - 1]) ? Length - 1 : Length)];
    }
}
