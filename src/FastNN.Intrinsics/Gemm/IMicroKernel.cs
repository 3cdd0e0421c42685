using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>A register-blocked GEMM micro-kernel: with the vector packing, the only GEMM code that depends on the instruction set.</summary>
/// <remarks>
/// <para>Contract, in the manner of BLIS's KernelsHowTo: <see cref="Run"/> computes <c>C := beta·C + alpha·Ã·B̃</c> for one
/// <see cref="MR"/>×<see cref="NR"/> tile of C, both operands k deep:</para>
/// <list type="bullet">
/// <item>Ã[i, p] is <c>a[i*rowStepA + p*depthStepA]</c>: a packed micro-panel of A stored column-major (rowStepA 1,
/// depthStepA MR) or MR rows of a row-major A where they lie (lda, 1), every one of them readable;</item>
/// <item>B̃[p, j] is <c>b[p*ldb + j]</c>: a packed micro-panel of B (ldb = NR) or NR columns of a row-major B where they
/// lie (its ldb), all NR readable;</item>
/// <item>C is row-major with row stride ldc. When beta is zero C is only written, never read, so NaN or garbage in C
/// cannot leak. Packing is a plain copy: alpha is applied here, once per tile.</item>
/// </list>
/// <para>Implementations keep the MR×NR accumulators in registers (one local each, m and n fully unrolled),
/// broadcast elements of Ã and load rows of B̃ as vectors. <see cref="Run"/> always gets a whole tile; an edge tile
/// goes to <see cref="TryRunEdge"/>, and where a kernel has no such path the driver runs it on a whole tile in scratch
/// memory and merges the part that exists.</para>
/// </remarks>
internal unsafe interface IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of the C tile: the height of a packed micro-panel of A.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile: the width of a packed micro-panel of B.</summary>
    static abstract int NR { get; }

    /// <summary>C := beta·C + alpha·Ã·B̃ on one MR×NR tile (see the type's remarks); k may be zero.</summary>
    static abstract void Run(int k, T* a, nint rowStepA, nint depthStepA, T* b, nint ldb, T alpha, T beta, T* c, nint ldc);

    /// <summary>
    /// As <see cref="Run"/> on the top-left <paramref name="rows"/>×<paramref name="cols"/> corner of a tile (an edge of C),
    /// touching nothing of C outside it, with the same operations on every element as a whole tile. Returns false,
    /// having done nothing, when the kernel has no such path (the default).
    /// </summary>
    static virtual bool TryRunEdge(int k, T* a, nint rowStepA, nint depthStepA, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int rows, int cols) => false;
}
