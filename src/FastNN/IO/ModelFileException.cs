namespace FastNN.IO;

/// <summary>
/// The one exception FastNN throws for a model or checkpoint file whose content is wrong: a malformed or truncated
/// safetensors layout, an unsupported dtype, bad metadata, or tensors that do not fit the model under strict loading;
/// also for a path that is a pipe or a socket, which cannot be read at the offsets a header gives. The message starts
/// with the file's path and says what is wrong and where.
/// </summary>
/// <remarks>
/// A model or trainer that a failed load was aimed at is left exactly as it was. A missing file or an unreadable disk
/// raises the usual <see cref="FileNotFoundException"/> or <see cref="IOException"/>, and bad arguments an
/// <see cref="ArgumentException"/>. 
/// <para>Thread safety: immutable once created; safe to read from any thread.</para>
/// </remarks>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>, with the message <c>"&lt;filePath&gt;: &lt;problem&gt;"</c>.</summary>
    /// <param name="filePath">The file that was being read.</param>
    /// <param name="problem">What is wrong, and where in the file.</param>
    /// <param name="innerException">The error that revealed the problem, if any.</param>
    public ModelFileException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }

    /// <summary>
    /// Whether the file is a FastNN checkpoint (as <see cref="Checkpoint.Save{T}"/> writes) given to a model file loader
    /// (<see cref="ModelFile.Load{T}"/>, <see cref="ModelFile.LoadWeights{T}"/>): a program can then offer to resume the
    /// run from it instead. False for every other problem.
    /// </summary>
    public bool IsCheckpoint { get; private init; }

    /// <summary>
    /// Whether the file holds a finite value beyond the range of float (saved from a double model) and was read as float:
    /// it loads as double. A program can then name its own way of asking for double. False for every other problem.
    /// </summary>
    public bool NeedsDouble { get; private init; }

    /// <summary>The exception for a value of the file that float cannot hold, read as float.</summary>
    internal static ModelFileException BeyondFloat(string filePath, string problem) => new(filePath, problem) { NeedsDouble = true };

    /// <summary>The exception for a checkpoint given where a model file is read: it says so, and what to do instead.</summary>
    internal static ModelFileException Checkpoint(string filePath) => new(filePath,
        "the file is a FastNN checkpoint (a training run saved to be resumed: the model with its optimizer state and progress), not a model file: "
        + "resume the run from it with Checkpoint.Load, or load the model file the run saves with ModelFile.Save.")
    {
        IsCheckpoint = true,
    };
}
