using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>One data (or unified) cache level as the processor describes it.</summary>
/// <param name="Bytes">Capacity in bytes.</param>
/// <param name="Ways">Associativity: lines each set holds.</param>
/// <param name="LineBytes">Bytes per line.</param>
/// <param name="SharedBy">Logical processors sharing this cache (1 for a private cache).</param>
/// <param name="Inclusive">Whether it holds a copy of everything in the levels below (CPUID's inclusiveness bit; assumed where unreported).</param>
internal readonly record struct CacheLevel(long Bytes, int Ways, int LineBytes, int SharedBy = 1, bool Inclusive = true)
{
    /// <summary>Sets: capacity / (ways · line).</summary>
    public long Sets => Bytes / ((long)Ways * LineBytes);

    /// <summary>Bytes one way holds across all sets: a stride at which addresses fall into the same set.</summary>
    public long WayBytes => Sets * LineBytes;

    /// <summary>Whether the description is usable: positive sizes, a power-of-two line, sets that divide evenly.</summary>
    public bool IsPlausible =>
        Bytes >= 1024 && Ways > 0 && LineBytes >= 16 && (LineBytes & (LineBytes - 1)) == 0 && SharedBy > 0
        && Bytes % ((long)Ways * LineBytes) == 0;

    public override string ToString() =>
        $"{Bytes / 1024}K {Ways}-way {LineBytes} B lines{(SharedBy > 1 ? $" shared by {SharedBy}" : "")}{(Inclusive ? "" : " non-inclusive")}";
}

/// <summary>The first three data cache levels of the processor this process runs on, read once at start-up.</summary>
/// <param name="L1">The level-1 data cache.</param>
/// <param name="L2">The level-2 cache.</param>
/// <param name="L3">The level-3 cache; <see langword="null"/> where there is none.</param>
/// <param name="Source">Where the figures came from: "cpuid leaf 4", "cpuid leaf 0x8000001D", "/sys", or "fallback".</param>
internal sealed record CacheHierarchy(CacheLevel L1, CacheLevel L2, CacheLevel? L3, string Source)
{
    /// <summary>
    /// Used when neither CPUID nor Linux's /sys describes the caches: small enough for any core FastNN targets
    /// (32 KiB 8-way L1d, 512 KiB 8-way L2, 8 MiB 16-way L3), so blocks derived from it fit wherever it is wrong.
    /// </summary>
    public static readonly CacheHierarchy Fallback =
        new(new CacheLevel(32 << 10, 8, 64), new CacheLevel(512 << 10, 8, 64), new CacheLevel(8 << 20, 16, 64), "fallback");

    /// <summary>This process's hierarchy: CPUID on x86 (Intel's leaf 4, AMD's 0x8000001D), else /sys on Linux, else <see cref="Fallback"/>.</summary>
    public static CacheHierarchy Current { get; } = Detect();

    private static CacheHierarchy Detect()
    {
        try
        {
            return FromCpuId() ?? FromSysfs("/sys/devices/system/cpu/cpu0/cache") ?? Fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fallback;
        }
    }

    /// <summary>The deterministic cache parameters leaf: 4 on Intel, 0x8000001D on AMD (with topology extensions).</summary>
    private static CacheHierarchy? FromCpuId()
    {
        if (!X86Base.IsSupported)
            return null;
        (int maxLeaf, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        string vendor = string.Create(12, (ebx, edx, ecx), static (span, r) =>
        {
            for (int i = 0; i < 4; i++)
            {
                span[i] = (char)((r.ebx >> (8 * i)) & 0xFF);
                span[4 + i] = (char)((r.edx >> (8 * i)) & 0xFF);
                span[8 + i] = (char)((r.ecx >> (8 * i)) & 0xFF);
            }
        });
        int leaf;
        if (vendor == "GenuineIntel" && maxLeaf >= 4)
        {
            leaf = 4;
        }
        else if (vendor is "AuthenticAMD" or "HygonGenuine")
        {
            const int Extended = unchecked((int)0x80000000), TopologyExtensions = 1 << 22;
            if ((uint)X86Base.CpuId(Extended, 0).Eax < 0x8000001D || (X86Base.CpuId(Extended | 1, 0).Ecx & TopologyExtensions) == 0)
                return null;
            leaf = unchecked((int)0x8000001D);
        }
        else
        {
            return null;
        }
        var levels = new CacheLevel?[4];
        for (int index = 0; index < 16; index++)
        {
            (int eax, int b, int c, int d) = X86Base.CpuId(leaf, index);
            int type = eax & 0x1F; // 0: no more caches, 1: data, 2: instruction, 3: unified
            if (type == 0)
                break;
            int level = (eax >> 5) & 0x7;
            if (type == 2 || level is < 1 or > 3)
                continue;
            int line = (b & 0xFFF) + 1, partitions = ((b >> 12) & 0x3FF) + 1, ways = ((b >> 22) & 0x3FF) + 1;
            long sets = (uint)c + 1L;
            int sharedBy = ((eax >> 14) & 0xFFF) + 1;
            bool inclusive = (d & 2) != 0;
            levels[level] = new CacheLevel((long)ways * partitions * line * sets, ways * partitions, line, sharedBy, inclusive);
        }
        return Assemble(levels, leaf == 4 ? "cpuid leaf 4" : "cpuid leaf 0x8000001D");
    }

    /// <summary>
    /// Linux's description (on any architecture): index*/level, type, size, ways_of_associativity, coherency_line_size,
    /// shared_cpu_list. An index with a field absent (Linux leaves out what it does not know), empty or malformed is
    /// skipped, as an implausible one is, so that a level 1 or 2 without a usable index leaves <see langword="null"/>
    /// (the next source) rather than an exception; an absent shared_cpu_list counts as one processor.
    /// </summary>
    /// <exception cref="IOException">A file or the directory cannot be read (<see cref="Current"/> then takes <see cref="Fallback"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">As <see cref="IOException"/>.</exception>
    internal static CacheHierarchy? FromSysfs(string directory)
    {
        if (!Directory.Exists(directory))
            return null;
        var levels = new CacheLevel?[4];
        foreach (string index in Directory.GetDirectories(directory, "index*"))
        {
            // Linux leaves out a field it does not know (one whose value would be 0): read as empty, it skips the index.
            string Read(string name)
            {
                string path = Path.Combine(index, name);
                return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
            }
            if (Read("type") == "Instruction" || ParseCount(Read("level")) is not int level || level is < 1 or > 3)
                continue;
            int? sharedBy = CountCpus(Read("shared_cpu_list")); // absent or empty: 1
            if (ParseSize(Read("size")) is not long bytes || ParseCount(Read("ways_of_associativity")) is not int ways
                || ParseCount(Read("coherency_line_size")) is not int line || line == 0 || sharedBy is null)
                continue;
            // A fully associative cache reports 0 ways: one set of every line.
            levels[level] = new CacheLevel(bytes, ways > 0 ? ways : (int)Math.Min(bytes / line, int.MaxValue), line, sharedBy.Value);
        }
        return Assemble(levels, "/sys");
    }

    private static CacheHierarchy? Assemble(CacheLevel?[] levels, string source)
    {
        if (levels[1] is not { IsPlausible: true } l1 || levels[2] is not { IsPlausible: true } l2)
            return null;
        CacheLevel? l3 = levels[3] is { IsPlausible: true } l ? l : null;
        return new CacheHierarchy(l1, l2, l3, source);
    }

    /// <summary>"48K", "1024K", "32M", or plain bytes; <see langword="null"/> when empty, malformed or beyond a long.</summary>
    internal static long? ParseSize(string text)
    {
        if (text.Length == 0)
            return null;
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        string digits = scale == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= long.MaxValue / scale
            ? value * scale : null;
    }

    /// <summary>A count written in decimal digits; <see langword="null"/> when empty, malformed or beyond an int.</summary>
    private static int? ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;

    /// <summary>Processors in a list such as "0-3,8-11" or "0,2,4"; <see langword="null"/> when a part is malformed or a range descends.</summary>
    internal static int? CountCpus(string list)
    {
        long count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            (string from, string to) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (ParseCount(from) is not int first || ParseCount(to) is not int last || last < first)
                return null;
            count += last - first + 1L;
        }
        return (int)Math.Clamp(count, 1, int.MaxValue);
    }

    public override string ToString() => $"L1d {L1}, L2 {L2}, L3 {(L3 is { } l3 ? l3.ToString() : "none")} ({Source})";
}
