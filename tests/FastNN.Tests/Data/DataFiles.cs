namespace FastNN.Tests.Data;

/// <summary>Paths of the repository's data sets, copied next to the test assembly by the project file.</summary>
internal static class DataFiles
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "data", file);
}
