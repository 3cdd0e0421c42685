using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>Runs a call with k &gt; 0 and alpha ≠ 0 on kernel <typeparamref name="TKernel"/>: small path, or packed on one or more threads.</summary>
    private static void Run<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        if (IsSmall(op))
        {
            if (IsNarrowDot(op))
                SmallDot(op);
            else
                Small(op);
            return;
        }
        BlockSizes sizes = BlockSizes.For<T>(Isa.Path);
        Debug.Assert(sizes.Fits<T, TKernel>());
        int parts = PartCount(op.M, op.N, op.K, Parallelism.MaxThreads);
        // A transposed C costs a strided merge of every tile instead of the kernel's direct store: demand a clear gain.
        GemmOperands<T> chosen = TileDensity(op.N, op.M, TKernel.MR, TKernel.NR) > 1.25 * TileDensity(op.M, op.N, TKernel.MR, TKernel.NR)
            ? op.Transposed()
            : op;
        if (parts == 1)
        {
            Packed<T, TKernel>(chosen, sizes, 0, chosen.M, 0, chosen.N);
            return;
        }

        // Split the larger count of whole tiles (never k, so every element sees the same operations in the same
        // order whatever the thread count). Splitting columns repeats the packing of A in every part, splitting rows
        // that of B: prefer to repeat the smaller.
        int tilesM = (chosen.M + TKernel.MR - 1) / TKernel.MR, tilesN = (chosen.N + TKernel.NR - 1) / TKernel.NR;
        bool splitColumns = tilesN >= parts && (chosen.M <= chosen.N || tilesM < parts);
        parts = Math.Min(parts, splitColumns ? tilesN : tilesM);
        PackedWork<T, TKernel> work = PackedWork<T, TKernel>.ForThisThread;
        work.Set(chosen, sizes, splitColumns);
        WorkerPool.Run(work, parts);
    }

    /// <summary>
    /// The fraction of MR×NR tile area an m×n C actually fills. A narrow C (say 64×10 with 8×32 tiles: 31%) fills
    /// the tiles of its transpose better (10×64: 62%): the driver then computes Cᵀ = op(B)ᵀ·op(A)ᵀ, storing tiles transposed.
    /// </summary>
    private static double TileDensity(int m, int n, int mr, int nr) =>
        (double)m / ((m + mr - 1) / mr * mr) * n / ((n + nr - 1) / nr * nr);

    /// <summary>How many threads a call of this size gets: enough work per thread to pay for waking it.</summary>
    private static int PartCount(int m, int n, int k, int maxThreads)
    {
        long flops = 2L * m * n * k;
        return (int)Math.Clamp(flops / BlockSizes.MinFlopsPerThread, 1, maxThreads);
    }

    /// <summary>The packed GEMM on rows [i0, i1) and columns [j0, j1) of C: BLIS's five loops around the micro-kernel.</summary>
    /// <remarks>i0 and j0 are multiples of MR and NR, so tiles fall where they would for the whole matrix.</remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Packed<T, TKernel>(in GemmOperands<T> op, BlockSizes sizes, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        T* packedA = PackingBuffers<T>.A(sizes.MC * sizes.KCMax);
        T* packedB = PackingBuffers<T>.B(sizes.KCMax * sizes.NC);
        T* edge = stackalloc T[TKernel.MR * TKernel.NR];
        int k = op.K;
        bool smallTilesA = ReadsAInSmallTiles(op);
        nint lda = ReadsAUnpacked(op) ? op.Lda : 0, ldb = ReadsBUnpacked(op) ? op.Ldb : 0;
        for (int jc = j0; jc < j1; jc += sizes.NC)
        {
            int nc = Math.Min(sizes.NC, j1 - jc);
            for (int pc = 0, kc; pc < k; pc += kc)
            {
                kc = k - pc <= sizes.KCMax ? k - pc : sizes.KC;
                // B read in place still has its last partial micro-panel packed, so no column past the block is read.
                int packedColumns = ldb == 0 ? nc : nc % TKernel.NR;
                if (packedColumns > 0)
                    PackB<T, TKernel>(op.TransposeB, op.OpB(pc, jc + nc - packedColumns), op.Ldb, kc, packedColumns, packedB);
                // beta scales C once, on the first rank-kc update; later ones accumulate.
                T beta = pc == 0 ? op.Beta : T.One;
                for (int ic = i0; ic < i1; ic += sizes.MC)
                {
                    int mc = Math.Min(sizes.MC, i1 - ic);
                    if (smallTilesA)
                    {
                        for (int jr = 0; jr < nc; jr += TKernel.NR)
                        {
                            InPlaceA(new GemmOperands<T>(op.TransposeA, false, mc, Math.Min(TKernel.NR, nc - jr), kc, op.Alpha,
                                op.OpA(ic, pc), op.Lda, packedB + jr * kc, TKernel.NR, beta, op.AtC(ic, jc + jr), op.Ldc));
                        }
                        continue;
                    }
                    // A read in place still has its last partial micro-panel packed, so no row past the block is read.
                    int packedRows = lda == 0 ? mc : mc % TKernel.MR;
                    if (packedRows > 0)
                        PackA<T, TKernel>(op.TransposeA, op.OpA(ic + mc - packedRows, pc), op.Lda, packedRows, kc, packedA);
                    MacroKernel<T, TKernel>(mc, nc, kc, op.OpA(ic, pc), lda, packedA, op.OpB(pc, jc), ldb, packedB, op.Alpha, beta,
                        op.AtC(ic, jc), op.RowStrideC, op.ColumnStrideC, edge);
                }
            }
        }
    }

    /// <summary>
    /// Whether the packed path leaves A where it lies and packs only B: float on AVX-512 with C not transposed. The small
    /// path's tiles then broadcast op(A)'s elements from where they lie, sweeping all the rows of a block down each
    /// packed micro-panel of B as the ir loop does, so packing A would only copy it.
    /// <list type="bullet">
    /// <item>A stored row-major: eight sequential streams per tile, which L2 serves as well as a packed panel. Measured
    /// here against packing both (one thread, medians, OpenBLAS alongside): +3-9% from 128³ to 1024³, +2-4% at 2048³.
    /// Double lost 10-15% at 1024³ and 2048³ (its rows hold half the elements per cache line) and keeps packing A.</item>
    /// <item>A stored k×m (op(A) = Aᵀ): a tile's eight elements of each depth step share a cache line, one line per
    /// step at stride lda. Alternated in one process: +4-11% at depths up to 256 (the weight gradients of the MLP at
    /// batch 64, (256, 784, 64) +6%; (512, 512, 256) +4%; (1000, 1000, 64) +7%), but -3% at (512, 512, 512) and
    /// -6% to -30% when lda spans a multiple of 4 KiB ((1024, 1024, 64), 1024³): every step then lands in the same L1
    /// set and on a new page, out of reach of the prefetchers. Those keep packing A.</item>
    /// </list>
    /// </summary>
    private static bool ReadsAInSmallTiles<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && Isa.Path == IsaPath.Vector512 && !op.TransposeC
        && (!op.TransposeA || (op.K <= BlockSizes.TransposedAInPlaceMaxDepth && op.Lda * sizeof(T) % 4096 != 0));

    /// <summary>
    /// Whether the 6×2 micro-kernel of the 256-bit and 128-bit paths reads whole micro-panels of A from A's rows where
    /// they lie (row-major A, C not transposed) instead of a packed copy; only a block's partial last micro-panel is
    /// packed. Its six broadcasts per step then come from six sequential streams. Measured here, alternating both
    /// ways in one process (AVX2, float, one thread): +5-10% at 64³ and 96³, +2-4% at 128³, within ±2% from 256³ to
    /// 2048³; the 128-bit path +2-16%. The AVX-512 float path has its own way (<see cref="ReadsAInSmallTiles"/>); AVX-512
    /// double gained at 128³ but lost up to 8% at 2048³, and packs.
    /// </summary>
    private static bool ReadsAUnpacked<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        Isa.Path is IsaPath.Vector256 or IsaPath.Vector128 && !op.TransposeA && !op.TransposeC;

    /// <summary>
    /// Whether the 6×2 micro-kernel (256-bit and 128-bit paths, float) reads whole micro-panels of B from B's rows where
    /// they lie instead of a packed copy; only a block's partial last panel is packed. That pays where packing B is a
    /// large share of the work: few rows of C to amortise it over, and a shallow B whose rows stay within reach of the
    /// prefetchers. Alternated in one process (AVX2): +3-4% at 64³ and 96³, +2% at 128³, +6-7% at (64, 256, 256),
    /// (64, 512, 256) and (64, 784, 256) (the MLP's input gradients at batch 64), the 128-bit path +3-9% on the last
    /// three; but -2% to -4% at 300³, (100, 512, 512) and 512³, -20% at (64, 1024, 256) and -55% at 1024³, where every row
    /// of B is 4 KiB from the last (the same L1 set, a new page each step). Double gained and lost by turns and packs.
    /// </summary>
    private static bool ReadsBUnpacked<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && Isa.Path is IsaPath.Vector256 or IsaPath.Vector128 && !op.TransposeB
        && op.M <= BlockSizes.UnpackedBMaxRows && op.K <= BlockSizes.UnpackedBMaxDepth && op.Ldb * sizeof(T) % 4096 != 0;

    /// <summary>
    /// The jr and ir loops: every MR×NR tile of an mc×nc block of C (element (i, j) at c[i·rowStride + j·columnStride])
    /// from panels of A and of B that are packed (<paramref name="lda"/> = 0: all in <paramref name="packedA"/>;
    /// <paramref name="ldb"/> = 0: all in <paramref name="packedB"/>) or read in place (rows of <paramref name="a"/>,
    /// stride lda; columns of <paramref name="b"/>, stride ldb), except a partial last panel, packed at the start of
    /// its buffer. Tiles of a row-major C go straight to the kernel, edge tiles too where it stores them itself; other
    /// edge tiles and tiles of a transposed C are copied into scratch (only when beta ≠ 0, so C is never read
    /// otherwise), updated there by the same kernel, and their m×n part copied back: every element gets the same
    /// arithmetic wherever its tile falls, so results do not depend on the thread split or on where a row falls among
    /// the tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<T, TKernel>(int mc, int nc, int kc, T* a, nint lda, T* packedA, T* b, nint ldb, T* packedB,
        T alpha, T beta, T* c, nint rowStride, nint columnStride, T* edge)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int mr = TKernel.MR, nr = TKernel.NR, wholeRows = mc - mc % mr, wholeColumns = nc - nc % nr;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            // B̃ in place (ldb ≠ 0: columns of B from b, the partial last panel packed) or packed (every panel).
            bool inPlaceB = ldb != 0 && jr < wholeColumns;
            T* bt = inPlaceB ? b + jr : ldb != 0 ? packedB : packedB + jr * kc;
            nint bStep = inPlaceB ? ldb : nr;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                // Ã in place (lda ≠ 0: rows of A from a, the partial last panel packed) or packed (every panel).
                bool inPlace = lda != 0 && ir < wholeRows;
                T* at = inPlace ? a + ir * lda : lda != 0 ? packedA : packedA + ir * kc;
                nint rowStep = inPlace ? lda : 1, depthStep = inPlace ? 1 : mr;
                T* cTile = c + ir * rowStride + jr * columnStride;
                if (columnStride == 1)
                {
                    if (rows == mr && cols == nr)
                    {
                        TKernel.Run(kc, at, rowStep, depthStep, bt, bStep, alpha, beta, cTile, rowStride);
                        continue;
                    }
                    if (TKernel.TryRunEdge(kc, at, rowStep, depthStep, bt, bStep, alpha, beta, cTile, rowStride, rows, cols))
                        continue;
                }
                if (beta != T.Zero)
                    CopyTile(rows, cols, cTile, rowStride, columnStride, edge, nr, 1);
                TKernel.Run(kc, at, rowStep, depthStep, bt, bStep, alpha, beta, edge, nr);
                CopyTile(rows, cols, edge, nr, 1, cTile, rowStride, columnStride);
            }
        }
    }

    /// <summary>Copies a rows×cols block between two strided layouts.</summary>
    private static void CopyTile<T>(int rows, int cols, T* src, nint srcRow, nint srcColumn, T* dst, nint dstRow, nint dstColumn)
        where T : unmanaged
    {
        for (int i = 0; i < rows; i++, src += srcRow, dst += dstRow)
        {
            for (int j = 0; j < cols; j++)
                dst[j * dstColumn] = src[j * srcColumn];
        }
    }

    /// <summary>A packed GEMM split into column (or row) ranges of whole tiles, one per worker; one instance per calling thread, reused.</summary>
    private sealed class PackedWork<T, TKernel> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        [ThreadStatic] private static PackedWork<T, TKernel>? t_instance;

        private GemmOperands<T> _op;
        private BlockSizes _sizes;
        private bool _splitColumns;

        public static PackedWork<T, TKernel> ForThisThread => t_instance ??= new PackedWork<T, TKernel>();

        public void Set(in GemmOperands<T> op, BlockSizes sizes, bool splitColumns)
        {
            _op = op;
            _sizes = sizes;
            _splitColumns = splitColumns;
        }

        public void Execute(int part, int partCount)
        {
            if (_splitColumns)
            {
                (int j0, int j1) = Range(part, partCount, _op.N, TKernel.NR);
                Packed<T, TKernel>(_op, _sizes, 0, _op.M, j0, j1);
            }
            else
            {
                (int i0, int i1) = Range(part, partCount, _op.M, TKernel.MR);
                Packed<T, TKernel>(_op, _sizes, i0, i1, 0, _op.N);
            }
        }

        /// <summary>Part <paramref name="part"/>'s share of [0, extent) in whole units (the last one may be partial).</summary>
        private static (int Start, int End) Range(int part, int partCount, int extent, int unit)
        {
            long units = (extent + unit - 1) / unit;
            int start = (int)(units * part / partCount) * unit;
            int end = (int)Math.Min(units * (part + 1) / partCount * unit, extent);
            return (start, end);
        }
    }
}
