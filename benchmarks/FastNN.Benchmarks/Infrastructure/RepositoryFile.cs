namespace FastNN.Benchmarks.Infrastructure;

/// <summary>Finds a file of the repository (data sets, the PyTorch scripts) from wherever the benchmarks run.</summary>
internal static class RepositoryFile
{
    /// <summary>
    /// The first <c>dir/relativePath</c> that exists, walking up from the binary and then from the working directory
    /// (a binary built with <c>-o</c> outside the repository still finds the files when run from inside it); null if none.
    /// </summary>
    public static string? Find(string relativePath)
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (string? dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                string candidate = Path.Combine(dir, relativePath);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>Where <see cref="Find"/> looks, for messages.</summary>
    public static string Searched => $"above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}";
}
