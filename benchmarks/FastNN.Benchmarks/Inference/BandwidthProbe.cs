using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// Read bandwidth of one core over a buffer of a given size, read again and again as a batch-1 pass reads its weights:
/// four streams side by side (the buffer's quarters, as the panel kernel reads four panels), eight vector accumulators,
/// 64-byte-aligned vectors, so neither the adds nor a load split across two cache lines set the pace. Sized at half
/// the L2 it measures the L2; at four times the L2 the L3; at a network's weight bytes, the ceiling of that pass.
/// </summary>
/// <remarks>
/// The first probe of this suite read one stream of a plain float[] (16-byte aligned, so every 64-byte vector straddled
/// two lines); on the Zen 5 here that read 116-160 GB/s over half the L2 where four aligned streams read 186-221 GB/s
/// (benchmarks/RESULTS.md, "Inference, part 2").
/// </remarks>
internal sealed unsafe class BandwidthProbe : IDisposable
{
    private readonly float* _buffer;
    private readonly long _floats;

    public BandwidthProbe(long bytes)
    {
        // Whole 512-byte rows of four streams, so the quarters stay 128-byte aligned.
        _floats = Math.Max(512, bytes / 4 / 512 * 512);
        _buffer = (float*)NativeMemory.AlignedAlloc((nuint)(_floats * 4), 64);
        new Span<float>(_buffer, (int)_floats).Fill(1e-3f);
    }

    public long Bytes => _floats * 4;

    public static (long L2, long L3) CacheBytes() => (ReadCache(2), ReadCache(3));

    /// <summary>One pass over the buffer; returns the sum so it is not optimized away.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public float Read()
    {
        long quarter = _floats / 4;
        float* w0 = _buffer, w1 = w0 + quarter, w2 = w1 + quarter, w3 = w2 + quarter;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (long i = 0; i < quarter; i += 32)
            {
                a0 += Vector512.LoadAligned(w0 + i); a1 += Vector512.LoadAligned(w0 + i + 16);
                a2 += Vector512.LoadAligned(w1 + i); a3 += Vector512.LoadAligned(w1 + i + 16);
                a4 += Vector512.LoadAligned(w2 + i); a5 += Vector512.LoadAligned(w2 + i + 16);
                a6 += Vector512.LoadAligned(w3 + i); a7 += Vector512.LoadAligned(w3 + i + 16);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (long i = 0; i < quarter; i += 16)
        {
            b0 += Vector256.LoadAligned(w0 + i); b1 += Vector256.LoadAligned(w0 + i + 8);
            b2 += Vector256.LoadAligned(w1 + i); b3 += Vector256.LoadAligned(w1 + i + 8);
            b4 += Vector256.LoadAligned(w2 + i); b5 += Vector256.LoadAligned(w2 + i + 8);
            b6 += Vector256.LoadAligned(w3 + i); b7 += Vector256.LoadAligned(w3 + i + 8);
        }
        return Vector256.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7);
    }

    public void Dispose() => NativeMemory.AlignedFree(_buffer);

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
