namespace FastNN.Cli;

/// <summary>The files a command reads (data, a model, a checkpoint, initial weights): checked before any work, with errors that name the option.</summary>
internal static class InputFile
{
    /// <summary>Returns <paramref name="path"/> when it is a file; otherwise throws a <see cref="UsageException"/> saying whether it is a folder or nothing.</summary>
    public static string Existing(string path, string option) =>
        File.Exists(path) ? path
            : Directory.Exists(path) ? throw new UsageException($"{option}: '{path}' is a folder; give a file.")
            : throw new UsageException($"{option}: there is no file '{path}'.");
}
