using System.IO.Compression;
using System.Reflection;
using FastNN.Benchmarks.Infrastructure;
using FastNN.Data;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Data;

/// <summary>
/// <c>Csv.Read&lt;float&gt;</c> of <see cref="CsvBenchmarks"/>' 100,000 × 100 file gzip-compressed, in paired rounds: as one
/// member and as bgzip-like members of 64 KiB of text each, beside the plain file and, with <c>--versus DIR</c>, beside
/// the same one-member read by another build's library (DIR holds its FastNN.dll and FastNN.Intrinsics.dll, loaded as
/// <see cref="OtherBuild"/> loads them).
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- csv-gzip [--rounds N] [--versus DIR]</c>
/// (7 rounds by default; a read takes most of a second, so a slice is one read). The compressed files are written
/// next to the CSV in the temporary folder once (.NET's <see cref="GZipStream"/>, <see cref="CompressionLevel.Optimal"/>)
/// and kept. Speeds are the other side's time over the one-member read's, per round, medians over the rounds.
/// </remarks>
internal static class CsvGzipReport
{
    private const int MemberBytes = 1 << 16;

    public static void Run(ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 7);
        string? versus = arguments.Directory("--versus", "a build output directory holding FastNN.dll");
        arguments.Finish();
        new CsvBenchmarks().Setup();
        string csv = CsvBenchmarks.FilePath, one = csv + ".gz", many = csv + ".64k-members.gz";
        if (!File.Exists(one))
            Compress(csv, one, long.MaxValue);
        if (!File.Exists(many))
            Compress(csv, many, MemberBytes);

        var sides = new List<(string Name, Action Read)>
        {
            ("this build, one member", () => Csv.Read<float>(one)),
            ("this build, 64 KiB members", () => Csv.Read<float>(many)),
            ("this build, plain CSV", () => Csv.Read<float>(csv)),
        };
        if (versus is not null)
            sides.Add(("other build, one member", OtherRead(versus, one)));

        Console.WriteLine($"// Machine: {Machine.Describe()}");
        Console.WriteLine($"// Paired rounds: {rounds} rounds, one read per side per round; medians over rounds of per-round figures.");
        Console.WriteLine($"// Files: {Describe(csv)}; {Describe(one)}; {Describe(many)}" + (versus is null ? "" : $"; versus: {versus}"));
        Console.WriteLine();
        Console.WriteLine("| Side | ms | side / one member | MB/s of text |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (_, read) in sides)
            read();
        double[][] t = PairedRounds.Measure(rounds, null, [.. sides.Select(s => PairedRounds.Local(s.Read))]);
        long text = new FileInfo(csv).Length;
        for (int i = 0; i < sides.Count; i++)
            Console.WriteLine($"| {sides[i].Name} | {F(PairedRounds.Median(t, x => x[i]) * 1e3, 1)} | {F(PairedRounds.Median(t, x => x[i] / x[0]), 3)}x | "
                + $"{F(PairedRounds.Median(t, x => text / x[i]) / 1e6, 0)} |");
    }

    /// <summary>
    /// gzip of <paramref name="source"/>, a member for every <paramref name="memberBytes"/> of it; written beside the
    /// destination and renamed once complete, as <see cref="CsvBenchmarks"/> writes its CSV: a run stopped while
    /// compressing must not leave a short file that every later run would read as the table.
    /// </summary>
    private static void Compress(string source, string destination, long memberBytes)
    {
        byte[] text = File.ReadAllBytes(source);
        string partial = destination + "." + Environment.ProcessId + ".partial";
        using (var file = File.Create(partial))
        {
            for (long start = 0; start < text.Length; start += memberBytes)
            {
                using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
                gzip.Write(text.AsSpan((int)start, (int)Math.Min(memberBytes, text.Length - start)));
            }
        }
        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>The other build's <c>Csv.Read&lt;float&gt;(path)</c>.</summary>
    private static Action OtherRead(string directory, string path)
    {
        var build = new OtherBuild(directory);
        Type csv = build.LoadFromAssemblyName(new AssemblyName("FastNN")).GetType(typeof(Csv).FullName!, throwOnError: true)!;
        MethodInfo read = csv.GetMethods().Single(m => m.Name == nameof(Csv.Read) && m.GetParameters()[0].ParameterType == typeof(string))
            .MakeGenericMethod(typeof(float));
        return () => read.Invoke(null, [path, null]);
    }

    private static string Describe(string path) => $"{Path.GetFileName(path)} {new FileInfo(path).Length / 1e6:F1} MB";
}
