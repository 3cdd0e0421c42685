using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// Read bandwidth of one core from L2 and from L3: the sum of a buffer read over and over, eight vector accumulators
/// wide, so the loads and not the adds set the pace. Buffer sizes follow the caches this machine reports: half the L2
/// (it stays in L2, beyond L1), and four times the L2 when the L3 holds eight times that (it stays in L3, beyond L2).
/// A batch-1 pass streams its weights once, so these are its ceilings.
/// </summary>
internal sealed class BandwidthProbe
{
    private readonly float[] _buffer;

    private BandwidthProbe(long bytes) => _buffer = new float[bytes / sizeof(float)];

    public long Bytes => (long)_buffer.Length * sizeof(float);

    public static (long L2, long L3) CacheBytes() => (ReadCache(2), ReadCache(3));

    public static BandwidthProbe ForL2() => new(CacheBytes().L2 / 2);

    /// <summary>Null when the L3 is not at least eight times the L2.</summary>
    public static BandwidthProbe? ForL3()
    {
        (long l2, long l3) = CacheBytes();
        return l3 >= 8 * l2 ? new BandwidthProbe(4 * l2) : null;
    }

    /// <summary>One pass over the buffer; returns the sum so it is not optimized away.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public float Read()
    {
        ReadOnlySpan<float> x = _buffer;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int i = 0; i + 128 <= x.Length; i += 128)
            {
                a0 += Vector512.Create(x.Slice(i, 16)); a1 += Vector512.Create(x.Slice(i + 16, 16));
                a2 += Vector512.Create(x.Slice(i + 32, 16)); a3 += Vector512.Create(x.Slice(i + 48, 16));
                a4 += Vector512.Create(x.Slice(i + 64, 16)); a5 += Vector512.Create(x.Slice(i + 80, 16));
                a6 += Vector512.Create(x.Slice(i + 96, 16)); a7 += Vector512.Create(x.Slice(i + 112, 16));
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (int i = 0; i + 64 <= x.Length; i += 64)
        {
            b0 += Vector256.Create(x.Slice(i, 8)); b1 += Vector256.Create(x.Slice(i + 8, 8));
            b2 += Vector256.Create(x.Slice(i + 16, 8)); b3 += Vector256.Create(x.Slice(i + 24, 8));
            b4 += Vector256.Create(x.Slice(i + 32, 8)); b5 += Vector256.Create(x.Slice(i + 40, 8));
            b6 += Vector256.Create(x.Slice(i + 48, 8)); b7 += Vector256.Create(x.Slice(i + 56, 8));
        }
        return Vector256.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7);
    }

    /// <summary>Bytes of the level-<paramref name="level"/> data or unified cache of CPU 0, from sysfs (1 MiB / 32 MiB when unreadable).</summary>
    private static long ReadCache(int level)
    {
        try
        {
            foreach (string dir in Directory.EnumerateDirectories("/sys/devices/system/cpu/cpu0/cache", "index*"))
            {
                if (File.ReadAllText(Path.Combine(dir, "level")).Trim() != level.ToString() || File.ReadAllText(Path.Combine(dir, "type")).Trim() == "Instruction")
                    continue;
                string size = File.ReadAllText(Path.Combine(dir, "size")).Trim();
                long value = long.Parse(size.TrimEnd('K', 'M', 'G'));
                return size[^1] switch { 'K' => value << 10, 'M' => value << 20, 'G' => value << 30, _ => value };
            }
        }
        catch (IOException)
        {
        }
        return level == 2 ? 1L << 20 : 32L << 20;
    }
}
