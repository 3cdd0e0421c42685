using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNN.Intrinsics;

/// <summary>
/// Zeroed buffers for large memory that every training step sweeps (a model's parameters, gradients and activations,
/// an optimizer's state), on transparent huge pages where Linux grants them and an ordinary array everywhere else.
/// </summary>
/// <remarks>
/// <para>Why: the 20-layer net's step touches 22 MB of weights, gradients and moments, about 5,600 pages of 4 KB, more
/// than a second-level TLB holds, and in a virtual machine each miss is a nested page walk; on 2 MB pages the same
/// bytes need a dozen entries. Measured in benchmarks/RESULTS.md, "2 MB pages for the step's buffers".</para>
/// <para>How: on Linux, when /sys/kernel/mm/transparent_hugepage/enabled reads <c>always</c> or <c>madvise</c>, a
/// buffer of at least half a huge page (<c>hpage_pmd_size</c>: 2 MB on x86-64; a smaller one would lose more memory to
/// rounding than it holds) is a slice of a pinned array one huge page longer than the whole huge pages that hold it.
/// That run of whole huge pages is advised <c>MADV_HUGEPAGE</c> before the buffer is zeroed, so the first faults take
/// huge pages; then <c>MADV_COLLAPSE</c> merges any part the runtime had touched before (memory it reused). The cost is
/// memory: the array is the buffer rounded up to whole huge pages plus one page for the alignment, so a buffer of half a
/// page takes 4 times its size of managed heap (1 MB: a 4 MB array) and one of 4 MB 1.5 times (6 MB), and its whole
/// pages are resident from the start (zeroed), where a new array's untouched pages are not. The slice
/// is ordinary managed memory: the garbage collector keeps it alive while any span of it is in use, and the values and
/// every result computed on them are those of an ordinary array.</para>
/// <para>Falls back to an ordinary array when: not Linux; transparent huge pages off, absent or unreadable; the buffer
/// below half a huge page; an element type of a size other than 1, 2, 4 or 8 bytes whose array puts no element on a page
/// boundary (the buffer must start there); <c>madvise</c> refused or unavailable; or the environment variable
/// <c>FASTNN_HUGE_PAGES=0</c> at start-up (only the value <c>0</c>: any other, such as <c>off</c>, leaves huge pages on). Where the kernel backs part of an advised buffer with 4 KB pages (memory too
/// fragmented to compact) that part is simply ordinary memory.</para>
/// <para>Thread safety: thread-safe; the settings are read once.</para>
/// </remarks>
public static partial class HugePages
{
    private const int MadviseHugePage = 14, MadviseCollapse = 25;

    [ThreadStatic]
    private static bool t_ordinaryArrays;

    /// <summary>The size of a transparent huge page in bytes when buffers are put on them; 0 when they are not (see the class remarks).</summary>
    public static int PageBytes { get; } = ReadPageBytes();

    /// <summary>A zeroed buffer of <paramref name="length"/> elements, on huge pages when <see cref="PageBytes"/> is not 0 and the buffer holds at least half a page.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="length">Elements (0 or more).</param>
    /// <returns>The buffer: a slice of a pinned array, or an ordinary array.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static Memory<T> Allocate<T>(int length) where T : unmanaged =>
        Allocate<T>(length, t_ordinaryArrays ? 0 : PageBytes, MadviseHugePage);

    /// <summary>Runs <paramref name="build"/> with <see cref="Allocate{T}(int)"/> giving ordinary arrays on this thread, so that tests can compare results on both kinds of memory.</summary>
    internal static TResult WithOrdinaryArrays<TResult>(Func<TResult> build)
    {
        // The setting found is restored, not cleared: a nested call must leave the outer one's in force.
        bool outer = t_ordinaryArrays;
        t_ordinaryArrays = true;
        try
        {
            return build();
        }
        finally
        {
            t_ordinaryArrays = outer;
        }
    }

    /// <summary>
    /// <see cref="Allocate{T}(int)"/> with the page size (0: none; else a power of two) and the advice given, so that
    /// tests can take the fallbacks: no huge pages, and an advice the kernel refuses.
    /// </summary>
    internal static unsafe Memory<T> Allocate<T>(int length, int pageBytes, int advice) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = (long)length * sizeof(T);
        if (pageBytes == 0 || 2 * bytes < pageBytes)
            return new T[length];
        long arrayLength = ArrayLength(bytes, sizeof(T), pageBytes);
        if (arrayLength > Array.MaxLength)
            return new T[length];
        T[] array = GC.AllocateUninitializedArray<T>((int)arrayLength, pinned: true);
        if (Place((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)), bytes, sizeof(T), pageBytes) is not { } run
            || !Advise(run.Start, run.Bytes, advice))
            return new T[length];
        Memory<T> buffer = array.AsMemory(run.Offset, length);
        buffer.Span.Clear();
        Advise(run.Start, run.Bytes, MadviseCollapse);
        return buffer;
    }

    /// <summary>Elements of the pinned array that holds a buffer of <paramref name="bytes"/>: its whole huge pages and one more, for the alignment.</summary>
    internal static long ArrayLength(long bytes, int elementBytes, int pageBytes) =>
        (WholePages(bytes, pageBytes) + pageBytes + elementBytes - 1) / elementBytes;

    /// <summary>
    /// Where the buffer goes in an array of <see cref="ArrayLength"/> elements whose data starts at address
    /// <paramref name="first"/>: at the first page boundary in it, with the whole pages from there that hold the buffer
    /// advised; <see langword="null"/> when that boundary falls inside an element. The runtime aligns array data to
    /// 8 bytes, so an element of 1, 2, 4 or 8 bytes always starts there; one of another size (12 or 16 bytes) only
    /// where the array happens to put one there, and it is an ordinary array otherwise.
    /// </summary>
    internal static (int Offset, nint Start, long Bytes)? Place(nint first, long bytes, int elementBytes, int pageBytes)
    {
        nint start = (first + pageBytes - 1) & ~(nint)(pageBytes - 1);
        return (start - first) % elementBytes == 0 ? ((int)((start - first) / elementBytes), start, WholePages(bytes, pageBytes)) : null;
    }

    private static long WholePages(long bytes, int pageBytes) => (bytes + pageBytes - 1) / pageBytes * pageBytes;

    private static bool Advise(nint start, long bytes, int advice)
    {
        try
        {
            return madvise(start, (nuint)bytes, advice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static int ReadPageBytes()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("FASTNN_HUGE_PAGES") == "0")
            return 0;
        try
        {
            const string Directory = "/sys/kernel/mm/transparent_hugepage/";
            string enabled = File.ReadAllText(Directory + "enabled");
            if (!enabled.Contains("[always]", StringComparison.Ordinal) && !enabled.Contains("[madvise]", StringComparison.Ordinal))
                return 0;
            return int.TryParse(File.ReadAllText(Directory + "hpage_pmd_size").Trim(), out int size)
                && size >= Environment.SystemPageSize && size <= 1 << 30 && (size & (size - 1)) == 0 ? size : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
