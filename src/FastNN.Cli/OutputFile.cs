namespace FastNN.Cli;

/// <summary>
/// The files a command writes (a model, a plot, a checkpoint, predictions): checked before any work, so that a long run
/// does not end on a path that cannot be written, and written with errors that name the option.
/// </summary>
internal static class OutputFile
{
    /// <summary>Checks that <paramref name="path"/> can be created: its folder exists and it is not a folder itself.</summary>
    public static void Check(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"{option}: '{path}' is a folder; give a file name.");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"{option}: the folder '{folder}' of '{path}' does not exist.");
    }

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
