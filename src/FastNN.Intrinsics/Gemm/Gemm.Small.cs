using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Whether a call takes the unpacked small path (BLIS's "sup"): small enough that packing A and B would cost
    /// more than it saves, or so narrow that a packed tile would mostly compute padding, or short (see <see cref="IsShort"/>);
    /// and shallow enough that what it copies of B (a transposed B, or the ragged edge's columns) stays within the
    /// workspace bound.
    /// </summary>
    private static bool IsSmall<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long volume = (long)op.M * op.N * op.K;
        return (volume <= (op.TransposeB ? BlockSizes.SmallMaxVolumeTransposedB : BlockSizes.SmallMaxVolume)
                || (op.N <= sizes.NR / 2 && volume <= BlockSizes.NarrowMaxVolume)
                || IsShort(op, sizes))
            && (long)op.K * sizes.NR * sizeof(T) <= BlockSizes.MaxPackedBBytes;
    }

    /// <summary>
    /// Whether C is short (at most <see cref="BlockSizes.ShortMaxRows"/> rows) and B stays in this core's L2 while each
    /// of C's few row tiles streams it, so packing B would be paid for by a handful of tiles; B stored n×k would need its
    /// transposed copy, which is a packing. Taken only where the packed path would also run on one thread and in one
    /// depth block: both paths then do the same arithmetic on every element, so results do not depend on the thread
    /// count. Measured (AVX-512) at (64, 784, 256) float: 195-200 against 160-173 GFLOP/s packed; (64, 256, 256) 207-212 against 180.
    /// </summary>
    private static bool IsShort<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        !op.TransposeB && op.M <= BlockSizes.ShortMaxRows && (long)op.K * op.N * sizeof(T) <= CacheHierarchy.Current.L2.Bytes
        && op.K <= PackedSizes(op, sizes).KCMax && PartCount(op.M, op.N, op.K, Parallelism.MaxThreads) == 1;

    /// <summary>
    /// Whether C = alpha·A·Bᵀ + beta·C is done as dot products of rows (<see cref="SmallDot"/>) rather than on kernel
    /// <typeparamref name="TKernel"/>: when C is so short (a Dense layer's forward pass on a batch of a few rows: at most
    /// <see cref="BlockSizes.ShortDotRowTiles"/> of the kernel's row tiles) that reading B where it lies beats every path that reorders B first
    /// (the small path's transposed copy, the packed path's panels), whatever the size of B; or when it is narrow
    /// (<see cref="IsNarrowDot{T, TKernel}"/>), whatever its size.
    /// </summary>
    private static bool TakesDotPath<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T> =>
        !op.TransposeA && op.TransposeB
        && (DotPathForced ?? (op.M <= BlockSizes.ShortDotRowTiles * TKernel.MR || IsNarrowDot<T, TKernel>(op)));

    /// <summary>Whether a call of this shape takes the dot-product path against <see cref="Isa.Path"/>'s kernel, for tests and benchmarks.</summary>
    internal static bool TakesDotPath<T>(bool transposeA, bool transposeB, int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new GemmOperands<T>(transposeA, transposeB, m, n, k, T.One, null, transposeA ? m : k, null, transposeB ? k : n, T.Zero, null, n);
        return Isa.Path switch
        {
            IsaPath.Vector512 => TakesDotPath<T, MicroKernel512<T>>(op),
            IsaPath.Vector256 => TakesDotPath<T, MicroKernel6x2<T, Vector256<T>, Width256<T>>>(op),
            IsaPath.Vector128 => TakesDotPath<T, MicroKernel6x2<T, Vector128<T>, Width128<T>>>(op),
            _ => TakesDotPath<T, MicroKernelScalar<T>>(op),
        };
    }

    /// <summary>
    /// Whether A·Bᵀ is so narrow that <typeparamref name="TKernel"/> would spend more than a third of what it computes
    /// on padding columns (<see cref="ComputedColumns{T, TKernel}"/>). The dot path computes no padding and runs at about
    /// three quarters of the kernel's rate on full tiles on AVX2 (its weakest width: 0.67-0.89x at n 16, float), at
    /// par or better on the others, so it pays where the kernel fills at most two thirds of its columns, at any volume.
    /// Measured side by side (one thread, Zen 5, m 64 and 1024, k 256 and 784; RESULTS.md "The dot-product path on
    /// every width"), dot path over the kernel's path, float: AVX-512 (whole vectors of 16) n 10 1.43-1.87x, n 15
    /// 0.98-1.19x, n 16 0.71-0.99x; AVX2 (tiles of 16) n 10 1.09-1.43x, n 15 0.74-0.88x; double: AVX-512 (vectors of
    /// 8) n 10 1.33-2.12x, n 8 0.77-1.31x; AVX2 (tiles of 8) n 4 1.34-1.75x, n 8 0.62-0.87x, n 10 1.05-1.52x.
    /// </summary>
    private static bool IsNarrowDot<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T> =>
        3L * op.N <= 2L * ComputedColumns<T, TKernel>(op.N);

    /// <summary>
    /// The columns <typeparamref name="TKernel"/> computes for <paramref name="n"/> columns of C: whole vectors for a
    /// kernel with lane masks (its tile is two vectors wide), whole tiles otherwise.
    /// </summary>
    private static int ComputedColumns<T, TKernel>(int n) where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int step = TKernel.MasksColumns ? TKernel.NR / 2 : TKernel.NR;
        return (n + step - 1) / step * step;
    }

    /// <summary>
    /// For benchmarks that time the dot-product path against the others in one process: true sends every A·Bᵀ call
    /// there, false none; null, the default, applies the measured rule (<see cref="TakesDotPath{T, TKernel}(in GemmOperands{T})"/>). Process-wide.
    /// </summary>
    internal static bool? DotPathForced { get; set; }

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C without packing: op(A) is read where it lies (row-major or transposed), rows of
    /// op(B) straight from a row-major B or from a transposed copy when B is stored n×k. A kernel with lane masks
    /// takes the ragged right edge from B and C as they are; one without gets a zero-padded copy of the edge's
    /// columns of B and a scratch tile of C. Nothing outside the matrices is read or written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Small<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        if (!op.TransposeB && (TKernel.MasksColumns || op.N % TKernel.NR == 0))
        {
            // Nothing to copy: kept apart from the copying path and its try/finally, which costs the shallowest
            // calls (k = 10: about 100 cycles a tile) a measurable share.
            EvenRowTiles<T, TKernel>(op, SmallGrid(op, op.B, op.Ldb, TKernel.NR), op.N, null, 0);
            return;
        }
        SmallWithCopies<T, TKernel>(op);
    }

    /// <summary><see cref="Small"/> where B is transposed into a copy, or its ragged edge is copied for a kernel without masks.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallWithCopies<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int nr = TKernel.NR, n = op.N, k = op.K;
        int whole = TKernel.MasksColumns ? n : n - n % nr, edge = n - whole;
        // B stored n×k: a k×n copy, rows padded with zeros to whole vectors (masking kernels) or whole tiles.
        int copyWidth = ComputedColumns<T, TKernel>(n);
        long elementsB = op.TransposeB ? (long)k * copyWidth : (long)k * nr;
        Workspace workspace = WorkspacePool.Rent(Workspace.BytesFor<T>(0, elementsB));
        workspace.Layout<T>(0);
        try
        {
            T* b = op.B;
            nint ldb = op.Ldb;
            if (op.TransposeB)
            {
                b = workspace.B<T>();
                ldb = copyWidth;
                PackTransposed(op.B, op.Ldb, n, k, b, copyWidth);
            }
            TileGrid<T> grid = SmallGrid(op, b, ldb, nr);
            if (whole > 0)
                EvenRowTiles<T, TKernel>(op, grid, whole, null, 0);
            if (edge > 0)
            {
                // The edge's columns of B, NR wide with zeros past n: in the padded copy already, else copied out.
                if (!op.TransposeB)
                {
                    grid.B = workspace.B<T>();
                    grid.Ldb = nr;
                    PackRows<T, TKernel>(b + whole, ldb, k, edge, grid.B);
                }
                else
                {
                    grid.B = b + whole;
                }
                T* scratch = stackalloc T[TKernel.MR * nr];
                EvenRowTiles<T, TKernel>(op, grid, edge, scratch, whole);
            }
        }
        finally
        {
            WorkspacePool.Return(workspace);
        }
    }

    /// <summary>The small path's grid: op(A) where it lies (row-major or transposed), B row-major at <paramref name="b"/> (column tiles NR apart), C, alpha and beta.</summary>
    private static TileGrid<T> SmallGrid<T>(in GemmOperands<T> op, T* b, nint ldb, int nr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TileGrid<T> grid = default;
        grid.K = op.K;
        grid.RowStepA = op.TransposeA ? 1 : op.Lda;
        grid.DepthStepA = op.TransposeA ? op.Lda : 1;
        grid.B = b;
        grid.Ldb = ldb;
        grid.TileStepB = nr;
        grid.Ldc = op.Ldc;
        grid.Alpha = op.Alpha;
        grid.Beta = op.Beta;
        return grid;
    }

    /// <summary>
    /// The rows of C shared out evenly over tiles of at most MR (m = 10 on 8-row tiles: 5 + 5, not 8 + 2), so no tile
    /// is so short that its few accumulator chains wait on FMA latency: the first m mod tiles get one row more.
    /// Each group runs as one grid, <paramref name="columns"/> wide from column <paramref name="j0"/>; with a
    /// <paramref name="scratch"/> tile (one ragged column tile, kernel without masks) tile by tile through it.
    /// </summary>
    private static void EvenRowTiles<T, TKernel>(in GemmOperands<T> op, TileGrid<T> grid, int columns, T* scratch, int j0)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int m = op.M, tiles = (m + TKernel.MR - 1) / TKernel.MR, shortRows = m / tiles, tallTiles = m - shortRows * tiles;
        for (int group = 0, i0 = 0; group < 2; group++)
        {
            int rows = group == 0 ? shortRows + 1 : shortRows, count = group == 0 ? tallTiles : tiles - tallTiles;
            if (count == 0)
                continue;
            grid.A = op.OpA(i0, 0);
            grid.TileStepA = rows * grid.RowStepA;
            grid.C = op.AtC(i0, j0);
            if (scratch is null)
            {
                grid.RowTiles = count;
                grid.Columns = columns;
                RunRows<T, TKernel>(rows, grid);
            }
            else
            {
                for (int t = 0; t < count; t++, grid.A += grid.TileStepA, grid.C += rows * op.Ldc)
                    ThroughScratch<T, TKernel>(rows, columns, grid, op.Ldc, 1, scratch);
            }
            i0 += rows * count;
        }
    }

    /// <summary>Runs <paramref name="grid"/> on tiles of <paramref name="rows"/> (1..MR) rows, the count made a JIT constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunRows<T, TKernel>(int rows, in TileGrid<T> grid)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        switch (rows)
        {
            case 8: TKernel.Run<Rows8>(grid); break;
            case 7: TKernel.Run<Rows7>(grid); break;
            case 6: TKernel.Run<Rows6>(grid); break;
            case 5: TKernel.Run<Rows5>(grid); break;
            case 4: TKernel.Run<Rows4>(grid); break;
            case 3: TKernel.Run<Rows3>(grid); break;
            case 2: TKernel.Run<Rows2>(grid); break;
            default: TKernel.Run<Rows1>(grid); break;
        }
    }

    /// <summary>
    /// One tile of <paramref name="rows"/>×<paramref name="cols"/> at grid.C (strided by rowStride and columnStride)
    /// through a scratch MR×NR tile: C's part is copied in (only when beta ≠ 0, so C is never read otherwise), the
    /// kernel updates the whole scratch tile with the same arithmetic as in place, and the part that exists is
    /// copied back. For a ragged edge on a kernel without masks, and for a transposed C.
    /// </summary>
    private static void ThroughScratch<T, TKernel>(int rows, int cols, TileGrid<T> grid, nint rowStride, nint columnStride, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int nr = TKernel.NR;
        T* c = grid.C;
        if (grid.Beta != T.Zero)
            CopyTile(rows, cols, c, rowStride, columnStride, scratch, nr, 1);
        grid.C = scratch;
        grid.Ldc = nr;
        grid.RowTiles = 1;
        grid.Columns = nr;
        RunRows<T, TKernel>(rows, grid);
        CopyTile(rows, cols, scratch, nr, 1, c, rowStride, columnStride);
    }

    /// <summary>Copies a rows×cols block between two strided layouts: <c>dst[i·dstRow + j·dstColumn] = src[i·srcRow + j·srcColumn]</c>.</summary>
    /// <remarks>Between a tile and a transposed C (one side's rows contiguous where the other's columns are) whole
    /// square blocks go through the AVX register transpose of the packing, the rest element by element.</remarks>
    private static void CopyTile<T>(int rows, int cols, T* src, nint srcRow, nint srcColumn, T* dst, nint dstRow, nint dstColumn)
        where T : unmanaged
    {
        if (srcColumn == 1 && dstRow == 1)
        {
            CopyTransposed(rows, cols, src, srcRow, dst, dstColumn);
            return;
        }
        if (srcRow == 1 && dstColumn == 1)
        {
            CopyTransposed(cols, rows, src, srcColumn, dst, dstRow);
            return;
        }
        for (int i = 0; i < rows; i++, src += srcRow, dst += dstRow)
        {
            for (int j = 0; j < cols; j++)
                dst[j * dstColumn] = src[j * srcColumn];
        }
    }

    /// <summary><c>dst[t·ldd + r] = src[r·lds + t]</c> for r &lt; rows, t &lt; cols: whole register blocks, then the ragged rest.</summary>
    private static void CopyTransposed<T>(int rows, int cols, T* src, nint lds, T* dst, nint ldd) where T : unmanaged
    {
        int side = 32 / sizeof(T);
        int wholeRows = Avx.IsSupported ? rows - rows % side : 0, wholeCols = Avx.IsSupported ? cols - cols % side : 0;
        for (int r = 0; r < wholeRows; r += side)
        {
            for (int t = 0; t < wholeCols; t += side)
                TransposeBlock(src + r * lds + t, lds, side, dst + t * ldd + r, ldd);
        }
        for (int r = 0; r < rows; r++)
        {
            for (int t = r < wholeRows ? wholeCols : 0; t < cols; t++)
                dst[t * ldd + r] = src[r * lds + t];
        }
    }
}
