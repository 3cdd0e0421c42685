using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace FastNN.Intrinsics;

/// <summary>
/// Pinned working memory for one part of one GEMM call: two regions, for a packed block of A and one of B (or a
/// transposed copy of B), each 64-byte aligned so packed rows start on cache lines, each followed by 64 bytes of
/// slack for the whole-vector spill of partial transposes. Rented from <see cref="WorkspacePool"/> and returned
/// when the part ends; one part uses it at a time.
/// </summary>
internal sealed unsafe class Workspace
{
    private const int Alignment = 64, Slack = 64;

    private readonly byte[] _memory;
    private readonly byte* _start;
    private nint _offsetB;

    /// <summary>The Gen2 collection count when it was last returned to the pool (see <see cref="WorkspacePool.Trim"/>).</summary>
    public int ReturnedAtGen2;

    public Workspace(long bytes)
    {
        _memory = GC.AllocateUninitializedArray<byte>(checked((int)(bytes + Alignment)), pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_memory));
        _start = (byte*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
        Bytes = bytes;
    }

    /// <summary>Usable bytes.</summary>
    public long Bytes { get; }

    /// <summary>The most usable bytes of one workspace: a single byte array, less the alignment.</summary>
    public static long MaxBytes => Array.MaxLength - Alignment;

    /// <summary>Bytes a workspace needs for regions of <paramref name="elementsA"/> and <paramref name="elementsB"/> elements of <typeparamref name="T"/>.</summary>
    public static long BytesFor<T>(long elementsA, long elementsB) where T : unmanaged => BytesFor(elementsA, elementsB, sizeof(T));

    /// <summary>Bytes a workspace needs for regions of <paramref name="elementsA"/> and <paramref name="elementsB"/> elements of <paramref name="elementBytes"/> bytes.</summary>
    public static long BytesFor(long elementsA, long elementsB, int elementBytes) =>
        RegionBytes(elementsA * elementBytes) + RegionBytes(elementsB * elementBytes);

    /// <summary>Lays out the regions for this use (the workspace holds at least <see cref="BytesFor{T}"/> of them).</summary>
    public void Layout<T>(long elementsA) where T : unmanaged => _offsetB = (nint)RegionBytes(elementsA * sizeof(T));

    /// <summary>The region for A.</summary>
    public T* A<T>() where T : unmanaged => (T*)_start;

    /// <summary>The region for B.</summary>
    public T* B<T>() where T : unmanaged => (T*)(_start + _offsetB);

    private static long RegionBytes(long bytes) => bytes == 0 ? 0 : (bytes + Slack + Alignment - 1) / Alignment * Alignment;
}

/// <summary>
/// The workspaces kept for reuse between GEMM calls: at most two per processor, so the memory kept is bounded
/// (<see cref="Gemm.MaxWorkspaceBytes{T}"/> each) however many threads call; they are dropped after two full
/// (generation 2) garbage collections without use, and at once by <see cref="Gemm.ReleaseMemory"/>.
/// </summary>
/// <remarks>
/// <para>A part rents a workspace for its duration and returns it. Parts in flight are at most the calling threads
/// plus the workers (one fewer than the processors), so two slots per processor hold one for every part of up to
/// processors + 1 concurrent callers that each use every thread (such as two trainers, each on its own thread):
/// they allocate nothing once the pool has filled. With one slot per processor the parts beyond it took a fresh
/// workspace on every call.</para>
/// <para>More parts in flight than slots (many more concurrent callers) take fresh workspaces, which the pool keeps
/// only while it has room, so nothing is pinned per thread and concurrent callers never wait for memory. Workspaces
/// grow in powers of two, capped at what the largest call needs, so a steady workload stops allocating after its first calls.</para>
/// </remarks>
internal static class WorkspacePool
{
    private static readonly Workspace?[] s_slots = new Workspace?[2 * Environment.ProcessorCount];

    static WorkspacePool() => Gen2Callback.Register();

    /// <summary>A workspace of at least <paramref name="bytes"/> bytes, to be given back with <see cref="Return"/>.</summary>
    public static Workspace Rent(long bytes)
    {
        int start = Environment.CurrentManagedThreadId % s_slots.Length;
        for (int i = 0; i < s_slots.Length; i++)
        {
            ref Workspace? slot = ref s_slots[(start + i) % s_slots.Length];
            if (Volatile.Read(ref slot) is { } kept && kept.Bytes >= bytes && Interlocked.CompareExchange(ref slot, null, kept) == kept)
                return kept;
        }
        // None kept is large enough: let one too small go, so that the larger one made here takes its slot on return.
        for (int i = 0; i < s_slots.Length; i++)
        {
            ref Workspace? slot = ref s_slots[(start + i) % s_slots.Length];
            if (Volatile.Read(ref slot) is { } kept && Interlocked.CompareExchange(ref slot, null, kept) == kept)
                break;
        }
        // Powers of two, so a workload of mixed sizes settles after a few calls, but never past what the largest call needs.
        long size = Math.Min((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(bytes, 4096)), LargestNeed);
        Interlocked.Increment(ref s_created);
        return new Workspace(Math.Max(bytes, size));
    }

    private static long s_created;

    /// <summary>Workspaces created so far (for tests: a steady workload creates none).</summary>
    internal static long Created => Volatile.Read(ref s_created);

    /// <summary>The most any call needs on this process's path: <see cref="Gemm.MaxWorkspaceBytes{T}"/> of float or double.</summary>
    internal static long LargestNeed { get; } = Math.Max(Gemm.MaxWorkspaceBytes<float>(), Gemm.MaxWorkspaceBytes<double>());

    /// <summary>Gives a workspace back: kept for the next call if a slot is free, otherwise left to the collector.</summary>
    public static void Return(Workspace workspace)
    {
        workspace.ReturnedAtGen2 = GC.CollectionCount(2);
        int start = Environment.CurrentManagedThreadId % s_slots.Length;
        for (int i = 0; i < s_slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref s_slots[(start + i) % s_slots.Length], workspace, null) is null)
                return;
        }
    }

    /// <summary>Drops every kept workspace returned before generation-2 collection number <paramref name="gen2Count"/> (all of them for int.MaxValue).</summary>
    public static void Trim(int gen2Count)
    {
        for (int i = 0; i < s_slots.Length; i++)
        {
            if (Volatile.Read(ref s_slots[i]) is { } kept && kept.ReturnedAtGen2 < gen2Count)
                Interlocked.CompareExchange(ref s_slots[i], null, kept);
        }
    }

    /// <summary>Bytes kept now (for tests).</summary>
    internal static long KeptBytes
    {
        get
        {
            long total = 0;
            foreach (Workspace? w in s_slots)
                total += w?.Bytes ?? 0;
            return total;
        }
    }

    /// <summary>
    /// An object the collector finalizes after each generation-2 collection: it trims the pool and re-registers, until
    /// FastNN's load context starts unloading. An object that brings itself back after every collection holds its
    /// assembly's collectible <see cref="AssemblyLoadContext"/> alive: the context never unloaded.
    /// </summary>
    private sealed class Gen2Callback
    {
        private static volatile bool s_unloading;

        public static void Register()
        {
            AssemblyLoadContext.GetLoadContext(typeof(Gen2Callback).Assembly)!.Unloading += static _ => s_unloading = true;
            _ = new Gen2Callback();
        }

        ~Gen2Callback()
        {
            if (Environment.HasShutdownStarted || s_unloading)
                return;
            // Returned before the previous collection and not since: unused for two full collections.
            Trim(GC.CollectionCount(2) - 1);
            GC.ReRegisterForFinalize(this);
        }
    }
}
