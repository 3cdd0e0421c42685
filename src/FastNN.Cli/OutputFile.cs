using FastNN.IO;

namespace FastNN.Cli;

/// <summary>
/// The files a command writes (a model, a plot, a checkpoint, predictions): checked before any work, so that a long run
/// does not end on a path that cannot be written, and written with errors that name the option.
/// </summary>
internal static class OutputFile
{
    /// <summary>
    /// Checks that <paramref name="path"/> can be written: not a folder; a file there that opens for writing, or a folder
    /// that takes new files; and always the latter when <paramref name="renamedOver"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option that names it, for the message.</param>
    /// <param name="renamedOver">Whether the file is written as a new file renamed over it (a model or checkpoint: ModelFile
    /// and Checkpoint save so), which needs its folder to take new files whether or not it is there, but not the file
    /// itself to be writable; a symbolic link is checked as the file it leads to, which the save replaces.</param>
    public static void Check(string path, string option, bool renamedOver = false)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new UsageException($"{option}: the file name is empty; give a file name.");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"{option}: '{path}' is a folder; give a file name.");
        if (renamedOver)
            full = RenamedOver(full, path, option);
        string? folder = Path.GetDirectoryName(full);
        if (folder is null)
            return;
        if (!Directory.Exists(folder))
            throw new UsageException($"{option}: the folder '{folder}' of '{path}' does not exist.");
        // A file that is there is written in place (/dev/null, /dev/stdout, a named pipe), so it must be writable,
        // unchanged (asked of the system where it can say, not opened: a pipe's reader would take the close for the end);
        // a new one needs a folder that takes new files (not a read-only one, nor another user's), tried with a file
        // created and removed at once, as is the folder of a file that a save renames a new one over. Either way a long
        // run does not end unable to save what it made.
        bool exists = !renamedOver && IsFile(full);
        if (exists && !OperatingSystem.IsWindows())
        {
            if (UnixAccess.WriteProblem(full) is string problem)
                throw new UsageException($"{option}: cannot write '{path}': {problem}.");
            return;
        }
        try
        {
            using FileStream probe = exists
                ? new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)
                : new FileStream(Path.Combine(folder, $".fastnn-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1,
                    FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException(exists
                ? $"{option}: cannot write '{path}': {e.Message}"
                : $"{option}: cannot write '{path}': the folder '{folder}' does not take new files{(e is UnauthorizedAccessException ? " (access denied)" : "")}.");
        }
    }

    /// <summary>
    /// The file a save renames a new one over: <paramref name="full"/>, or the file its symbolic links lead to (a save
    /// follows them, as an editor does), whose folder must then take the new file. A rename replaces whatever has the name:
    /// /dev/null given to --save as root, or a link to it, would become the model, and so would the link /dev/stdout, for
    /// every process after it. A link inside /proc (/proc/self/fd/N) is not followed: its folder takes no new file.
    /// </summary>
    private static string RenamedOver(string full, string path, string option)
    {
        // The links of the folders on the way followed as the system (and the save) follows them, each step of the walk
        // checked; not inside /proc, whose links (/proc/self) are a process's own.
        string target = full.StartsWith("/proc/", StringComparison.Ordinal) ? full : SymbolicLinks.Followed(full, followLast: false);
        for (int links = 0; ; links++)
        {
            if (OperatingSystem.IsLinux() && (LinuxFileType.IsSpecial(target) || LinuxFileType.IsDescriptorLink(target)))
                throw new UsageException($"{option}: '{path}' is not a regular file (a device, a pipe, a socket or a process's descriptor such as /dev/stdout){(target == full ? "" : $", nor is '{target}' its link leads to")}: the file is saved as a new one renamed over it, which would replace it; give a file name.");
            if (target.StartsWith("/proc/", StringComparison.Ordinal) || SymbolicLinks.Next(target) is not string next)
                return target;
            if (links == SymbolicLinks.MaxLinks)
                throw new UsageException($"{option}: cannot write '{path}': its symbolic links form a loop (or a chain of more than {SymbolicLinks.MaxLinks}).");
            target = next;
        }
    }

    // Whether a file is there to open. A symbolic link to no file (yet) is not: opening it would fail, while a save
    // replaces the link and a plot creates its target. A loop of links is, so that opening it names the problem. Asked
    // of the system where it can say: a descriptor's link to a pipe (/dev/fd/63 of a shell's >(…)) has no path to resolve.
    private static bool IsFile(string full)
    {
        if (!File.Exists(full))
            return false;
        if (!OperatingSystem.IsWindows())
            return UnixAccess.LeadsToFile(full);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is not { Exists: false };
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Checks that no output is another output or one of the <paramref name="inputs"/>: the later write would replace it
    /// (a model saved over by its plot, a data file by its predictions). Null paths are options not given.
    /// </summary>
    public static void CheckDistinct(IReadOnlyList<(string Option, string? Path)> outputs, IReadOnlyList<(string Option, string? Path)> inputs)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].Path is not string path)
                continue;
            foreach ((string option, string? other) in outputs.Take(i))
            {
                if (Same(path, other))
                    throw new UsageException($"{outputs[i].Option}: '{path}' is also the {option} file; one would overwrite the other.");
            }
            foreach ((string option, string? other) in inputs)
            {
                if (Same(path, other))
                    throw new UsageException($"{outputs[i].Option}: '{path}' is the {option} file; writing it would replace what is read.");
            }
        }
    }

    // Compared as the files their symbolic links lead to, which a save (following them) or a plot writes: a link to the
    // data file given to --save would otherwise replace the data. A loop of links is taken as written, for the checks of
    // each file to report.
    private static bool Same(string path, string? other) =>
        !string.IsNullOrEmpty(other) && string.Equals(SymbolicLinks.Followed(path), SymbolicLinks.Followed(other), StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="path"/> names the process's standard output (/dev/stdout, /dev/fd/1, /proc/self/fd/1),
    /// to be written through the stream already open: opened anew as a file it is truncated, which loses what a shell's
    /// append (<c>&gt;&gt;</c>) kept.
    /// </summary>
    public static bool IsStandardOutput(string path) =>
        !string.IsNullOrWhiteSpace(path) && Path.GetFullPath(path) is "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1";

    /// <summary>
    /// Whether <paramref name="path"/> names the process's standard error (/dev/stderr, /dev/fd/2, /proc/self/fd/2), to be
    /// written through the stream already open, as <see cref="IsStandardOutput"/> is.
    /// </summary>
    public static bool IsStandardError(string path) =>
        !string.IsNullOrWhiteSpace(path) && Path.GetFullPath(path) is "/dev/stderr" or "/dev/fd/2" or "/proc/self/fd/2";

    /// <summary>
    /// Refuses <paramref name="path"/> when it names the process's standard output or error, for a file written by its
    /// path (a plot): opened anew, it truncates what the shell redirected the stream to (the results printed before it)
    /// and the lines printed after it land inside the file.
    /// </summary>
    public static void CheckNotStandardStream(string path, string option)
    {
        if (IsStandardOutput(path) || IsStandardError(path))
            throw new UsageException($"{option}: '{path}' is the command's standard {(IsStandardOutput(path) ? "output, where its results go" : "error, where its messages go")}: the file would be opened anew over them; give a file name.");
    }

    /// <summary>
    /// Refuses a plot's <paramref name="path"/> whose extension names another image or document format (out.svg,
    /// run.pdf): the plot is a PNG image whatever its name, which a viewer that goes by the name would not open.
    /// </summary>
    public static void CheckPngName(string path, string option)
    {
        if (OtherImageFormats.TryGetValue(Path.GetExtension(path), out string? format))
            throw new UsageException($"{option}: the plot is a PNG image, and '{path}' names {format} file; give a name ending in .png.");
    }

    private static readonly Dictionary<string, string> OtherImageFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        [".svg"] = "an SVG", [".pdf"] = "a PDF", [".eps"] = "an EPS", [".jpg"] = "a JPEG", [".jpeg"] = "a JPEG",
        [".gif"] = "a GIF", [".bmp"] = "a BMP", [".tif"] = "a TIFF", [".tiff"] = "a TIFF", [".webp"] = "a WebP",
    };

    /// <summary>Runs <paramref name="write"/>; a refusal of the file system is reported with the option and the file.</summary>
    public static void Write(string path, string option, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option}: cannot write '{path}': {e.Message}");
        }
    }
}
