using System.Globalization;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>What /proc/self/smaps says of the process's memory advised MADV_HUGEPAGE (<see cref="HugePages"/>): the evidence that the buffers really are on huge pages.</summary>
internal static class HugePageReport
{
    public static string Describe()
    {
        if (!OperatingSystem.IsLinux())
            return "huge pages: not Linux, ordinary arrays";
        int mappings = 0;
        long bytes = 0, huge = 0, size = 0, anonHuge = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.StartsWith("Size:", StringComparison.Ordinal))
                size = Kilobytes(line);
            else if (line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                anonHuge = Kilobytes(line);
            else if (line.StartsWith("VmFlags:", StringComparison.Ordinal) && line.Split(' ').Contains("hg"))
            {
                mappings++;
                bytes += size;
                huge += anonHuge;
            }
        }
        return $"huge pages ({HugePages.PageBytes / 1024} KB): {mappings} mapping(s) advised MADV_HUGEPAGE so far, {bytes / 1048576.0:F1} MiB, AnonHugePages {huge / 1048576.0:F1} MiB";

        static long Kilobytes(string line) =>
            1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
