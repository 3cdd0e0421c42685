using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>A register-blocked GEMM micro-kernel: with the vector packing, the only GEMM code that depends on the instruction set.</summary>
/// <remarks>
/// <para>Contract, in the manner of BLIS's KernelsHowTo: <see cref="Run"/> computes <c>C := beta·C + alpha·Ã·B̃</c> on a
/// <see cref="TileGrid{T}"/>, a block of C cut into micro-tiles of TRows (1..<see cref="MR"/>) rows by <see cref="NR"/>
/// columns, every tile k deep:</para>
/// <list type="bullet">
/// <item>Ã of row tile r: element [i, p] at <c>A[r·TileStepA + i·RowStepA + p·DepthStepA]</c>: a packed micro-panel
/// (RowStepA 1, DepthStepA MR) or rows of A where they lie (lda, 1), or columns of a transposed A (1, lda). Only the
/// TRows rows are read, so a short tile may end where A ends.</item>
/// <item>B̃ of column tile t: element [p, j] at <c>B[t·TileStepB + p·Ldb + j]</c>: a packed micro-panel (Ldb = NR) or
/// columns of a row-major B where they lie (its ldb).</item>
/// <item>C is row-major (Ldc); tile (r, t) starts at <c>C + r·TRows·Ldc + t·NR</c>. When beta is zero C is only
/// written, never read, so NaN or garbage in C cannot leak. Packing is a plain copy: alpha is applied here.</item>
/// <item>Columns may end in a partial tile only where <see cref="MasksColumns"/> holds: the kernel then neither
/// reads B̃ nor touches C past the last column. Otherwise Columns is a multiple of NR, and the driver gives a
/// ragged edge a zero-padded copy of B̃ and a scratch tile of C.</item>
/// </list>
/// <para>Every element of C gets the same operations in the same order (one fused multiply-add per depth step, in
/// order, then alpha and beta) whatever tile it falls in and however many rows that tile has, so results do not
/// depend on how a call is cut into tiles, blocks or threads. Implementations keep the accumulators in registers
/// (TRows a JIT constant, so a short tile has no dead rows), broadcast elements of Ã and load rows of B̃ as vectors.
/// The grid loops run inside the kernel, row tiles outside: a shallow tile (k = 10) is about 100 cycles, and a
/// call with its set-up per tile was a measurable share of that.</para>
/// <para>The C tile is written once per call, after the k loop: the one place where a fused epilogue (bias,
/// activation) would apply, on a call's last rank update.</para>
/// </remarks>
internal unsafe interface IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of a whole tile: the height of a packed micro-panel of A.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of a tile: the width of a packed micro-panel of B.</summary>
    static abstract int NR { get; }

    /// <summary>Whether <see cref="Run"/> takes a partial last column tile (lane masks) rather than whole tiles only.</summary>
    static abstract bool MasksColumns { get; }

    /// <summary>C := beta·C + alpha·Ã·B̃ on every tile of <paramref name="grid"/>, TRows rows each (see the type's remarks); k may be zero.</summary>
    static abstract void Run<TRows>(in TileGrid<T> grid) where TRows : struct, IConstant;
}

/// <summary>A block of C for <see cref="IMicroKernel{T}.Run"/>: RowTiles row tiles by Columns columns, with Ã and B̃ (see the interface's remarks).</summary>
internal unsafe struct TileGrid<T> where T : unmanaged
{
    /// <summary>Depth of every tile's update.</summary>
    public int K;

    /// <summary>Ã of the first row tile, and its steps: between rows, between depth steps, between row tiles.</summary>
    public T* A;
    public nint RowStepA, DepthStepA, TileStepA;

    /// <summary>B̃ of the first column tile, and its steps: between depth steps (rows), between column tiles.</summary>
    public T* B;
    public nint Ldb, TileStepB;

    /// <summary>The first tile's top-left element of C, and C's row stride.</summary>
    public T* C;
    public nint Ldc;

    /// <summary>Row tiles (of TRows rows each) and columns (a multiple of NR unless the kernel masks columns).</summary>
    public int RowTiles, Columns;

    public T Alpha, Beta;
}
