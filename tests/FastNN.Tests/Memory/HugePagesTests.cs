using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastNN.Intrinsics;

namespace FastNN.Tests.Memory;

/// <summary>
/// <see cref="HugePages"/>: what the kernel reports, read here from /sys and /proc independently of the code under
/// test, decides what each test asserts; there is no skip.
/// </summary>
public class HugePagesTests
{
    private const int TwoMegabytes = 2 << 20;

    /// <summary>The huge-page size the kernel offers to madvise, or 0, read from /sys as the class documents.</summary>
    private static int KernelPageBytes()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("FASTNN_HUGE_PAGES") == "0")
            return 0;
        const string Directory = "/sys/kernel/mm/transparent_hugepage/";
        if (!File.Exists(Directory + "enabled") || !File.Exists(Directory + "hpage_pmd_size"))
            return 0;
        string enabled = File.ReadAllText(Directory + "enabled");
        bool on = enabled.Contains("[always]") || enabled.Contains("[madvise]");
        return on ? int.Parse(File.ReadAllText(Directory + "hpage_pmd_size").Trim(), CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>For the mappings of /proc/self/smaps that overlap [start, end): whether all are advised huge (VmFlags hg), and their AnonHugePages bytes.</summary>
    private static (bool AllAdvised, long HugeBytes, int Mappings) Smaps(ulong start, ulong end)
    {
        bool inside = false, allAdvised = true;
        long huge = 0;
        int mappings = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            string first = line.Split(' ')[0];
            string[] range = first.Split('-');
            if (range.Length == 2 && ulong.TryParse(range[0], NumberStyles.HexNumber, null, out ulong lo)
                && ulong.TryParse(range[1], NumberStyles.HexNumber, null, out ulong hi))
            {
                inside = lo < end && hi > start;
                mappings += inside ? 1 : 0;
            }
            else if (inside && line.StartsWith("AnonHugePages:"))
                huge += 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            else if (inside && line.StartsWith("VmFlags:"))
                allAdvised &= line.Split(' ').Contains("hg");
        }
        return (allAdvised, huge, mappings);
    }

    private static ulong Address<T>(Memory<T> memory) =>
        (ulong)Unsafe.ByteOffset(ref Unsafe.NullRef<T>(), ref MemoryMarshal.GetReference(memory.Span));

    private static bool IsWholeArray<T>(Memory<T> memory) =>
        MemoryMarshal.TryGetArray((ReadOnlyMemory<T>)memory, out ArraySegment<T> segment)
        && segment.Offset == 0 && segment.Array!.Length == memory.Length;

    [Fact]
    public void PageBytesIsWhatTheKernelOffers() => Assert.Equal(KernelPageBytes(), HugePages.PageBytes);

    [Fact]
    public void LargeBufferIsOnHugePagesWhenTheKernelOffersThem()
    {
        int pageBytes = KernelPageBytes();
        const int Length = 5 * (1 << 20) / sizeof(float) + 3; // 5 MB and a bit: three huge pages of 2 MB
        Memory<float> buffer = HugePages.Allocate<float>(Length);
        Assert.Equal(Length, buffer.Length);
        Assert.All(buffer.ToArray(), v => Assert.Equal(0f, v));
        if (pageBytes == 0)
        {
            Assert.True(IsWholeArray(buffer), "without huge pages on offer the buffer is an ordinary array");
            return;
        }
        ulong start = Address(buffer);
        ulong end = start + ((ulong)Length * sizeof(float) + (ulong)pageBytes - 1) / (ulong)pageBytes * (ulong)pageBytes;
        Assert.Equal(0ul, start % (ulong)pageBytes);
        buffer.Span.Fill(1); // the test's own writes must not change what backs it
        (bool allAdvised, long huge, int mappings) = Smaps(start, end);
        Assert.True(mappings > 0, "the buffer lies in no mapping of /proc/self/smaps");
        Assert.True(allAdvised, "a mapping under the buffer is not advised MADV_HUGEPAGE (VmFlags without hg)");
        Assert.True(huge >= (long)(end - start), $"AnonHugePages over the buffer's {mappings} mapping(s): {huge} bytes, fewer than its {end - start}");
        GC.KeepAlive(buffer);
    }

    [Fact]
    public void RefusedAdviceGivesAnOrdinaryZeroedArray()
    {
        // 0x7fff is no madvise advice: the kernel refuses it (EINVAL), as it refuses MADV_HUGEPAGE where it has no THP.
        Memory<double> buffer = HugePages.Allocate<double>(3 * TwoMegabytes / sizeof(double), TwoMegabytes, 0x7fff);
        Assert.True(IsWholeArray(buffer));
        Assert.Equal(3 * TwoMegabytes / sizeof(double), buffer.Length);
        Assert.All(buffer.ToArray(), v => Assert.Equal(0d, v));
    }

    [Theory]
    [InlineData(0, 3 * TwoMegabytes)] // no huge pages (not Linux, THP off, FASTNN_HUGE_PAGES=0)
    [InlineData(TwoMegabytes, TwoMegabytes / 2 - 4)] // below half a huge page
    [InlineData(TwoMegabytes, 0)]
    public void WithoutHugePagesOrBelowHalfAPageTheBufferIsAnOrdinaryArray(int pageBytes, int bytes)
    {
        Memory<float> buffer = HugePages.Allocate<float>(bytes / sizeof(float), pageBytes, 14);
        Assert.True(IsWholeArray(buffer));
        Assert.Equal(bytes / sizeof(float), buffer.Length);
    }

    [Fact]
    public void HalfAPageIsAdvisedWhole()
    {
        int pageBytes = KernelPageBytes();
        Memory<float> buffer = HugePages.Allocate<float>(TwoMegabytes / 2 / sizeof(float), TwoMegabytes, 14);
        Assert.Equal(TwoMegabytes / 2 / sizeof(float), buffer.Length);
        Assert.All(buffer.ToArray(), v => Assert.Equal(0f, v));
        if (pageBytes == TwoMegabytes)
        {
            Assert.False(IsWholeArray(buffer));
            Assert.Equal(0ul, Address(buffer) % TwoMegabytes);
        }
    }

    [Fact]
    public void OrdinaryArraysOnRequestOnThisThreadOnly()
    {
        Memory<float> inside = HugePages.WithOrdinaryArrays(() => HugePages.Allocate<float>(3 * TwoMegabytes / sizeof(float)));
        Assert.True(IsWholeArray(inside));
        Memory<float> after = HugePages.Allocate<float>(3 * TwoMegabytes / sizeof(float));
        Assert.Equal(HugePages.PageBytes == 0, IsWholeArray(after));
    }

    [Fact]
    public void NestedOrdinaryArraysLastUntilTheOutermostCallReturns()
    {
        // The inner call must give back the setting it found, not switch huge pages on again for the rest of the outer one.
        (Memory<float> before, Memory<float> after) = HugePages.WithOrdinaryArrays(() =>
        {
            Memory<float> inner = HugePages.WithOrdinaryArrays(() => HugePages.Allocate<float>(3 * TwoMegabytes / sizeof(float)));
            return (inner, HugePages.Allocate<float>(3 * TwoMegabytes / sizeof(float)));
        });
        Assert.True(IsWholeArray(before));
        Assert.True(IsWholeArray(after), "an allocation after a nested WithOrdinaryArrays returned took huge pages");
        Assert.Equal(HugePages.PageBytes == 0, IsWholeArray(HugePages.Allocate<float>(3 * TwoMegabytes / sizeof(float))));
    }

    /// <summary>An element whose size divides no huge page.</summary>
    private readonly record struct Twelve(int A, int B, int C);

    // For any element size and any 8-byte-aligned array (what the runtime gives), the buffer must begin on a page
    // boundary, lie inside its array and inside the whole pages advised, and those pages inside the array too.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(3)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(40)]
    public void PlacedBufferLiesInItsArrayAndItsAdvisedPages(int elementBytes)
    {
        int placed = 0;
        foreach (long lead in new long[] { 0, 8, 16, 24, 40, TwoMegabytes - 16, TwoMegabytes - 8 })
        {
            foreach (long length in new long[] { TwoMegabytes / 2 / elementBytes + 1, TwoMegabytes / elementBytes, TwoMegabytes / elementBytes + 1, 3L * TwoMegabytes / elementBytes })
            {
                long first = 7L * TwoMegabytes + lead, bytes = length * elementBytes;
                long arrayEnd = first + HugePages.ArrayLength(bytes, elementBytes, TwoMegabytes) * elementBytes;
                if (HugePages.Place((nint)first, bytes, elementBytes, TwoMegabytes) is not { } run)
                {
                    Assert.True(elementBytes is not (1 or 2 or 4 or 8), $"{elementBytes}-byte elements at {lead} past a page: no placement");
                    continue;
                }
                placed++;
                long sliceStart = first + (long)run.Offset * elementBytes, sliceEnd = sliceStart + bytes, start = run.Start;
                string where = $"{length} elements of {elementBytes} bytes, array data at page + {lead}: slice [{sliceStart - first}, {sliceEnd - first}), advised [{start - first}, {start + run.Bytes - first}), array [0, {arrayEnd - first})";
                Assert.True(start % TwoMegabytes == 0 && run.Bytes % TwoMegabytes == 0, where);
                Assert.True(sliceStart == start, where);
                Assert.True(sliceEnd <= start + run.Bytes, where);
                Assert.True(start >= first && start + run.Bytes <= arrayEnd, where);
            }
        }
        Assert.True(placed > 0, $"no placement for {elementBytes}-byte elements: the huge-page path is never taken");
    }

    [Fact]
    public void BufferOfTwelveByteElementsIsZeroedAndStartsOnAPageWhenSliced()
    {
        for (int i = 0; i < 3; i++) // the arrays land at different addresses
        {
            Memory<Twelve> buffer = HugePages.Allocate<Twelve>(TwoMegabytes / 12 + 1, TwoMegabytes, 14);
            Assert.Equal(TwoMegabytes / 12 + 1, buffer.Length);
            Assert.All(buffer.ToArray(), v => Assert.Equal(default, v));
            Assert.True(IsWholeArray(buffer) || Address(buffer) % TwoMegabytes == 0, $"a slice starting at {Address(buffer) % TwoMegabytes} past a page boundary");
        }
    }

    [Fact]
    public void NegativeLengthIsRefused() =>
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => HugePages.Allocate<float>(-1)).ParamName);
}
