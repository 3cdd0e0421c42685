using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNN.Intrinsics;

/// <summary>Each thread's packing buffers for <typeparamref name="T"/>: allocated on the thread's first GEMM, reused by every later one.</summary>
/// <remarks>Pinned (the kernels hold raw pointers into them) and 64-byte aligned, so packed rows start on cache lines;
/// 32 bytes of slack follow the requested length.</remarks>
internal static unsafe class PackingBuffers<T> where T : unmanaged
{
    [ThreadStatic] private static T[]? t_a;
    [ThreadStatic] private static T[]? t_b;

    /// <summary>This thread's buffer for a packed block of A, at least <paramref name="length"/> elements.</summary>
    public static T* A(int length) => Aligned(ref t_a, length);

    /// <summary>This thread's buffer for a packed block of B, at least <paramref name="length"/> elements.</summary>
    public static T* B(int length) => Aligned(ref t_b, length);

    private static T* Aligned(ref T[]? buffer, int length)
    {
        const int Alignment = 64;
        // Room to align the start, plus one 256-bit vector past the end for the spill of partial transposes.
        int slack = (Alignment + 32) / sizeof(T);
        if (buffer is null || buffer.Length < length + slack)
            buffer = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
