using FastNN.IO;

namespace FastNN.Cli;

/// <summary>The files a command reads (data, a model, a checkpoint, initial weights): checked before any work, with errors that name the option.</summary>
internal static class InputFile
{
    /// <summary>
    /// Returns <paramref name="path"/> when it is a file this process may read; otherwise throws a
    /// <see cref="UsageException"/> saying whether it is a folder, nothing, or a file it may not read (which the runtime
    /// would tell as "Access to the path … is denied.", naming no option). A regular file access(2) refuses but the process
    /// opens (through a capability such as CAP_DAC_READ_SEARCH, which access does not count) is readable.
    /// </summary>
    public static string Existing(string path, string option)
    {
        if (Directory.Exists(path))
            throw new UsageException($"{option}: '{path}' is a folder; give a file.");
        if (!File.Exists(path))
            throw new UsageException($"{option}: there is no file '{path}'.");
        if (!OperatingSystem.IsWindows() && UnixAccess.ReadProblem(path) is string problem && !Opens(path))
            throw new UsageException($"{option}: cannot read '{path}': {problem}.");
        return path;
    }

    /// <summary>
    /// The refusal of a model file given to <paramref name="option"/> that holds a value beyond float's range, read by a
    /// float run: the library's "load the file as double" told as the option that does it.
    /// </summary>
    public static UsageException NeedsDouble(string option, ModelFileException e) =>
        new($"{option}: {e.FilePath} holds a value beyond the range of float (it was saved from a model in double precision): give --double to run in double precision too.");

    // access(2) answers for the real user without its capabilities: a process granted CAP_DAC_READ_SEARCH (a backup
    // service's) reads files it refuses. Opening a regular file to find out is neutral, so its open has the last word; a
    // named pipe's or a device's is not (UnixAccess), and access's answer stands.
    private static bool Opens(string path)
    {
        try
        {
            string target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            if (!OperatingSystem.IsLinux() || LinuxFileType.IsSpecial(target))
                return false;
            File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite).Dispose();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
