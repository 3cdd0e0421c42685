namespace FastNN.Cli;

/// <summary>The files a command reads (data, a model, a checkpoint, initial weights): checked before any work, with errors that name the option.</summary>
internal static class InputFile
{
    /// <summary>
    /// Returns <paramref name="path"/> when it is a file this process may read; otherwise throws a
    /// <see cref="UsageException"/> saying whether it is a folder, nothing, or a file it may not read (which the runtime
    /// would tell as "Access to the path … is denied.", naming no option).
    /// </summary>
    public static string Existing(string path, string option)
    {
        if (Directory.Exists(path))
            throw new UsageException($"{option}: '{path}' is a folder; give a file.");
        if (!File.Exists(path))
            throw new UsageException($"{option}: there is no file '{path}'.");
        if (!OperatingSystem.IsWindows() && UnixAccess.ReadProblem(path) is string problem)
            throw new UsageException($"{option}: cannot read '{path}': {problem}.");
        return path;
    }
}
