using System.Globalization;

namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// A numeric CSV read the way one would write it without FastNN (and the way <c>Csv.Read</c> read before it parsed
/// spans): a string per line from <c>ReadLine</c>, a string per cell from <c>Split</c>, <c>float.Parse</c>, a growing
/// list. The baseline the span-based reader must beat.
/// </summary>
internal static class PlainCsvReader
{
    public static (float[] Features, float[] Targets) Read(string path)
    {
        using var reader = new StreamReader(path);
        int columns = reader.ReadLine()!.Split(',').Length;
        var features = new List<float>();
        var targets = new List<float>();
        while (reader.ReadLine() is string line)
        {
            string[] cells = line.Split(',');
            for (int c = 0; c < columns - 1; c++)
                features.Add(float.Parse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture));
            targets.Add(float.Parse(cells[^1], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return (features.ToArray(), targets.ToArray());
    }
}
