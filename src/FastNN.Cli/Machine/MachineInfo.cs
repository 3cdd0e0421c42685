using System.Globalization;
using System.Runtime.InteropServices;
using FastNN.Intrinsics;

namespace FastNN.Cli.Machine;

/// <summary>What the machine reports about itself: CPU model, caches, SIMD path and width, threads.</summary>
internal static class MachineInfo
{
    /// <summary>The CPU's model name (Linux: /proc/cpuinfo), else the architecture.</summary>
    public static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            foreach (string line in File.ReadLines(cpuinfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    return line[(colon + 1)..].Trim();
            }
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The data and unified caches of CPU 0 (Linux: /sys/devices/system/cpu/cpu0/cache), such as <c>L1d 48 KiB, L2 1 MiB, L3 32 MiB</c>; empty when unknown.</summary>
    public static string Caches()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root))
            return "";
        var caches = new List<(int Level, string Text)>();
        foreach (string index in Directory.GetDirectories(root, "index*"))
        {
            string type = Read(index, "type"), size = Read(index, "size");
            if (type == "Instruction" || !int.TryParse(Read(index, "level"), CultureInfo.InvariantCulture, out int level) || size.Length == 0)
                continue;
            caches.Add((level, $"L{level}{(type == "Data" ? "d" : "")} {Size(size)}"));
        }
        return string.Join(", ", caches.OrderBy(c => c.Level).Select(c => c.Text));

        static string Read(string folder, string file)
        {
            string path = Path.Combine(folder, file);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        }

        static string Size(string text) =>
            text.EndsWith('K') && int.TryParse(text[..^1], CultureInfo.InvariantCulture, out int kib) && kib >= 1024 && kib % 1024 == 0
                ? $"{kib / 1024} MiB"
                : text.EndsWith('K') ? $"{text[..^1]} KiB" : text;
    }

    /// <summary>The vector width of the SIMD path in bits (0 for scalar).</summary>
    public static int VectorBits(IsaPath path) => path switch
    {
        IsaPath.Vector512 => 512,
        IsaPath.Vector256 => 256,
        IsaPath.Vector128 => 128,
        _ => 0,
    };
}
