using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Data;

namespace FastNN.Benchmarks.Data;

/// <summary>
/// Reading a numeric CSV of 100,000 rows × 100 columns (99 features, an integer class label; 83.4 MB of text: 99 cells of 8.4 characters on average, ±dd.dddd and a comma) into float:
/// FastNN's <see cref="Csv.Read{T}(string, CsvOptions?)"/> (lines parsed from one reused buffer, nothing allocated per
/// row) against a ReadLine/Split/float.Parse loop. GB/s counts the file's bytes; the allocation column shows what each
/// read allocates: the span reader about twice the table's 40 MB (its chunks and the final arrays), the plain loop a
/// string per line and per cell on top. The file is written once to the temporary folder and kept for later runs (the
/// GB/s column reads its size after the run).
/// </summary>
public class CsvBenchmarks : IWorkload
{
    private const int Rows = 100_000, Columns = 100;
    private static readonly string s_path = Path.Combine(Path.GetTempPath(), $"fastnn-bench-{Rows}x{Columns}.csv");

    /// <summary>The file, written by <see cref="Setup"/>.</summary>
    internal static string FilePath => s_path;

    /// <summary>Writes the file unless a previous run left it (random numbers with 4 decimals, seed 1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (File.Exists(s_path))
            return;
        // Written beside the file and renamed once complete: a run stopped while writing must not leave a short file
        // that every later run would then read as the table.
        string partial = s_path + "." + Environment.ProcessId + ".partial";
        Write(partial);
        File.Move(partial, s_path, overwrite: true);
    }

    private static void Write(string path)
    {
        var random = new Random(1);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        writer.WriteLine(string.Join(',', Enumerable.Range(0, Columns - 1).Select(c => $"x{c}").Append("label")));
        var line = new StringBuilder();
        for (int r = 0; r < Rows; r++)
        {
            line.Clear();
            for (int c = 0; c < Columns - 1; c++)
                line.Append((random.NextDouble() * 200 - 100).ToString("F4", CultureInfo.InvariantCulture)).Append(',');
            line.Append(random.Next(10));
            writer.WriteLine(line);
        }
    }

    /// <summary>FastNN's reader.</summary>
    [Benchmark]
    public Dataset<float> FastNNCsvRead() => Csv.Read<float>(s_path);

    /// <summary>A ReadLine/Split/float.Parse loop.</summary>
    [Benchmark(Baseline = true)]
    public (float[], float[]) ReadLineSplitParse() => PlainCsvReader.Read(s_path);

    /// <inheritdoc/>
    public double Flops(string method) => 0;

    /// <inheritdoc/>
    public double Bytes(string method) => File.Exists(s_path) ? new FileInfo(s_path).Length : 0;
}
