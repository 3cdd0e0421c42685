using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>Runs a call with k &gt; 0 and alpha ≠ 0 on kernel <typeparamref name="TKernel"/>: small path, or packed on one or more threads.</summary>
    private static void Run<T, TKernel>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        BlockSizes sizes = BlockSizes.For<T>(Isa.Path);
        Debug.Assert(sizes.Fits<T, TKernel>());
        if (TakesDotPath<T, TKernel>(op))
        {
            SmallDot(op);
            return;
        }
        if (IsSmall(op, sizes))
        {
            Small<T, TKernel>(op);
            return;
        }
        int parts = PartCount(op.M, op.N, op.K, Parallelism.MaxThreads);
        // A transposed C costs a strided merge of every tile instead of the kernel's direct store: demand a clear gain.
        GemmOperands<T> chosen = TileDensity(op.N, op.M, TKernel.MR, TKernel.NR) > 1.25 * TileDensity(op.M, op.N, TKernel.MR, TKernel.NR)
            || TurnsAround(op, sizes)
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
        try
        {
            WorkerPool.Run(work, parts);
        }
        finally
        {
            work.Clear();
        }
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

    /// <summary>Part <paramref name="part"/>'s share of [0, extent) in whole units (the last one may be partial).</summary>
    private static (int Start, int End) PartRange(int part, int partCount, int extent, int unit)
    {
        long units = (extent + unit - 1) / unit;
        int start = (int)(units * part / partCount) * unit;
        int end = (int)Math.Min(units * (part + 1) / partCount * unit, extent);
        return (start, end);
    }

    /// <summary>The packed GEMM on rows [i0, i1) and columns [j0, j1) of C: BLIS's five loops around the micro-kernel.</summary>
    /// <remarks>i0 and j0 are multiples of MR and NR, so tiles fall where they would for the whole matrix. The part
    /// rents its packing buffers, sized for what it packs, from <see cref="WorkspacePool"/> and returns them at the end.</remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Packed<T, TKernel>(in GemmOperands<T> op, BlockSizes sizes, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int mr = TKernel.MR, nr = TKernel.NR, k = op.K;
        bool inPlaceA = ReadsAInPlace(op, sizes), inPlaceB = ReadsBInPlace(op);
        sizes = PackedSizes(op, sizes);
        int mcMax = Math.Min(sizes.MC, (i1 - i0 + mr - 1) / mr * mr), kcMax = Math.Min(sizes.KCMax, k);
        int ncMax = Math.Min(sizes.NC, (j1 - j0 + nr - 1) / nr * nr);
        // B read in place: only a ragged last panel is packed, and not even that for a kernel with lane masks.
        long elementsA = inPlaceA ? 0 : (long)mcMax * kcMax;
        long elementsB = !inPlaceB ? (long)kcMax * ncMax : TKernel.MasksColumns ? 0 : (long)kcMax * nr;
        Workspace workspace = WorkspacePool.Rent(Workspace.BytesFor<T>(elementsA, elementsB));
        workspace.Layout<T>(elementsA);
        T* packedA = workspace.A<T>(), packedB = workspace.B<T>();
        T* scratch = stackalloc T[mr * nr];
        try
        {
            // Stepped by the block taken, never past j1 (or i1): a step of NC (MC) from a part's start past 0 wrapped
            // past int.MaxValue when the blocks are wider than the matrix, and ran blocks again from a negative start.
            for (int jc = j0, nc; jc < j1; jc += nc)
            {
                nc = Math.Min(sizes.NC, j1 - jc);
                for (int pc = 0, kc; pc < k; pc += kc)
                {
                    kc = k - pc <= sizes.KCMax ? k - pc : sizes.KC;
                    int packedColumns = !inPlaceB ? nc : TKernel.MasksColumns ? 0 : nc % nr;
                    if (packedColumns > 0)
                        PackB<T, TKernel>(op.TransposeB, op.OpB(pc, jc + nc - packedColumns), op.Ldb, kc, packedColumns, packedB);
                    // beta scales C once, on the first rank-kc update; later ones accumulate.
                    T beta = pc == 0 ? op.Beta : T.One;
                    for (int ic = i0, mc; ic < i1; ic += mc)
                    {
                        mc = Math.Min(sizes.MC, i1 - ic);
                        TileGrid<T> grid = default;
                        grid.K = kc;
                        grid.Alpha = op.Alpha;
                        grid.Beta = beta;
                        if (inPlaceA)
                        {
                            grid.A = op.OpA(ic, pc);
                            grid.RowStepA = op.TransposeA ? 1 : op.Lda;
                            grid.DepthStepA = op.TransposeA ? op.Lda : 1;
                        }
                        else
                        {
                            PackA<T, TKernel>(op.TransposeA, op.OpA(ic, pc), op.Lda, mc, kc, packedA);
                            grid.A = packedA;
                            grid.RowStepA = 1;
                            grid.DepthStepA = mr;
                        }
                        grid.TileStepA = mr * grid.RowStepA * (inPlaceA ? 1 : kc);
                        MacroKernel<T, TKernel>(mc, nc, grid, inPlaceB ? op.OpB(pc, jc) : null, op.Ldb, packedB,
                            op.AtC(ic, jc), op.RowStrideC, op.ColumnStrideC, scratch);
                    }
                }
            }
        }
        finally
        {
            WorkspacePool.Return(workspace);
        }
    }

    /// <summary>
    /// Whether the packed path reads op(A) where it lies instead of packing it: the micro-kernel then broadcasts
    /// op(A)'s elements from A's rows (or, transposed, its columns) down each micro-panel of B̃ as it would from a
    /// packed panel, a short last row tile reading only the rows that exist. For a transposed C only when the call was
    /// turned around (<see cref="TurnsAround{T}(in GemmOperands{T}, BlockSizes)"/>).
    /// <list type="bullet">
    /// <item>AVX-512 float, A stored row-major: eight sequential streams per tile, which L2 serves as well as a packed
    /// panel. Measured here against packing both (one thread, medians, OpenBLAS alongside; KC 1024): +3-9% from 128³
    /// to 1024³, +2-4% at 2048³. Each row is a stream of its own, started afresh by every tile: with the model's
    /// shallower blocks (KC 256, runs of 1 KiB) packing won instead once k spans several blocks (+4% at 1000³ and
    /// 1024³, +10% at 2000³ and 2048³; -3% at 256³, one block), so A is read in place only in one depth block or in
    /// runs of at least a 4 KiB page. Double lost 10-15% at 1024³ and 2048³ (its rows hold half the elements per
    /// cache line) and keeps packing A.</item>
    /// <item>AVX-512 float, A stored k×m (op(A) = Aᵀ): a tile's eight elements of each depth step share a cache line,
    /// one line per step at stride lda. Alternated in one process: +4-11% at depths up to 256 (the weight gradients
    /// of the MLP at batch 64, (256, 784, 64) +6%; (512, 512, 256) +4%; (1000, 1000, 64) +7%), but -3% at
    /// (512, 512, 512) and -6% to -30% when lda spans a multiple of 4 KiB ((1024, 1024, 64), 1024³): every step then
    /// lands in the same L1 set and on a new page, out of reach of the prefetchers. Those keep packing A.</item>
    /// <item>The 6×2 kernel of the 256-bit and 128-bit paths, A stored row-major: six sequential streams. Alternated
    /// in one process (AVX2, float, one thread): +5-10% at 64³ and 96³, +2-4% at 128³, within ±2% from 256³ to
    /// 2048³; the 128-bit path +2-16%. AVX-512 double gained at 128³ but lost up to 8% at 2048³, and packs.</item>
    /// </list>
    /// </summary>
    private static bool ReadsAInPlace<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        (!op.TransposeC || TurnsAround(op.Transposed(), sizes)) && ReadsRowsInPlace(op, sizes);

    /// <summary>
    /// Whether A·Bᵀ is computed as Cᵀ = B·Aᵀ: B then takes the role of A, read in place eight (or six) rows at a
    /// time along k, and A is packed, instead of packing B's rows NR at a time into transposed panels. Packing op(B)
    /// costs its n·k elements read across NR rows at once; turned around, the packing is A's m·k and the price is
    /// C's m·n elements merged through a scratch tile into the transposed C (read too when beta ≠ 0). Taken when the
    /// packing saved, (n − m)·k, is at least three times that merge, the turned tiles are as full as the others (a turned
    /// A streams through the kernel once per panel of the old A's rows: a part-filled panel pays the whole stream for
    /// part of the work), the merge runs in register blocks, and the turned A is read in place (otherwise both
    /// orientations pack both operands). Measured (AVX-512 float, one thread, warm, against the unturned call; RESULTS.md
    /// "The forward product turned around, built"): where the packing saved is 2.2× the merge, (96, 512, 256), turned
    /// lost 1-5 %; at 3×, (64, 256, 256) and (128, 256, 784), it ran 0.99-1.10x; from 3.5× on 1.04-2.0x. With 48 columns of
    /// C (48, 512, 256), its turned panels one and a half full, turned lost 10-15 %.
    /// </summary>
    private static bool TurnsAround<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        !op.TransposeA && op.TransposeB && !op.TransposeC
        && (long)(op.N - op.M) * op.K >= 3L * op.M * op.N * (op.Beta == T.Zero ? 1 : 2)
        && TileDensity(op.N, op.M, sizes.MR, sizes.NR) >= TileDensity(op.M, op.N, sizes.MR, sizes.NR)
        && MergesTransposedInBlocks<T>(sizes) && ReadsRowsInPlace(op.Transposed(), sizes);

    /// <summary>
    /// Whether the packed path would turn a call of this shape around on <see cref="Isa.Path"/> (<see cref="TurnsAround{T}(in GemmOperands{T}, BlockSizes)"/>)
    /// with <paramref name="sizes"/>, by default this machine's, for tests and benchmarks.
    /// </summary>
    internal static bool TurnsAround<T>(bool transposeA, bool transposeB, int m, int n, int k, T beta, BlockSizes? sizes = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        TurnsAround(new GemmOperands<T>(transposeA, transposeB, m, n, k, T.One, null, transposeA ? m : k, null, transposeB ? k : n, beta, null, n),
            sizes ?? BlockSizes.For<T>(Isa.Path));

    /// <summary>Whether a transposed C's tiles merge in AVX register blocks (<see cref="CopyTile{T}"/>): whole tiles of rows make whole blocks.</summary>
    private static bool MergesTransposedInBlocks<T>(BlockSizes sizes) where T : unmanaged =>
        Avx.IsSupported && sizes.MR % (32 / sizeof(T)) == 0;

    /// <summary>The rule of <see cref="ReadsAInPlace{T}"/> on the operands alone, whatever the layout of C.</summary>
    private static bool ReadsRowsInPlace<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        Isa.Path switch
        {
            IsaPath.Vector512 => typeof(T) == typeof(float)
                && (!op.TransposeA
                    ? op.K <= sizes.KCMax || (long)sizes.KC * sizeof(T) >= 4096
                    : op.K <= BlockSizes.TransposedAInPlaceMaxDepth && op.Lda * sizeof(T) % 4096 != 0),
            IsaPath.Vector256 or IsaPath.Vector128 => !op.TransposeA,
            _ => false,
        };

    /// <summary>
    /// The sizes the packed path blocks <paramref name="op"/> with: <paramref name="sizes"/>, but with a B read in place
    /// (<see cref="ReadsBInPlace{T}"/>) in depth blocks no deeper than the model's L1 depth (<see cref="BlockSizes.L1Depth{T}"/>)
    /// whatever the blocking in force. B's rows in place are no contiguous panel for L2 to stream: where an override
    /// deepened KC past the L1 (Zen 4's AVX2 float path, KC 1024 for the model's 170), (64, 784, 256) ran in one block
    /// (by the short path) at 81 GFLOP/s in two processes of four, against 99-106 in every process in the model's
    /// blocks of 170 and 86.
    /// </summary>
    private static BlockSizes PackedSizes<T>(in GemmOperands<T> op, BlockSizes sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        ReadsBInPlace(op) ? sizes.WithDepthAtMost(BlockSizes.L1Depth<T>(Isa.Path)) : sizes;

    /// <summary>
    /// Whether the 6×2 micro-kernel (256-bit and 128-bit paths, float) reads whole micro-panels of B from B's rows where
    /// they lie instead of a packed copy; only a block's ragged last panel is packed. That pays where packing B is a
    /// large share of the work: few rows of C to amortise it over, and a shallow B whose rows stay within reach of the
    /// prefetchers. Alternated in one process (AVX2): +3-4% at 64³ and 96³, +2% at 128³, +6-7% at (64, 256, 256),
    /// (64, 512, 256) and (64, 784, 256) (the MLP's input gradients at batch 64), the 128-bit path +3-9% on the last
    /// three; but -2% to -4% at 300³, (100, 512, 512) and 512³, -20% at (64, 1024, 256) and -55% at 1024³, where every row
    /// of B is 4 KiB from the last (the same L1 set, a new page each step). Double gained and lost by turns and packs.
    /// Its depth blocks are at most the model's L1 depth (<see cref="PackedSizes{T}"/>).
    /// </summary>
    private static bool ReadsBInPlace<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && Isa.Path is IsaPath.Vector256 or IsaPath.Vector128 && !op.TransposeB
        && op.M <= BlockSizes.UnpackedBMaxRows && op.K <= BlockSizes.UnpackedBMaxDepth && op.Ldb * sizeof(T) % 4096 != 0;

    /// <summary>
    /// The jr and ir loops: every MR×NR tile of an mc×nc block of C (element (i, j) at c[i·rowStride + j·columnStride]),
    /// one micro-panel of B̃ at a time, down all the row tiles of the block's Ã (<paramref name="a"/>: packed or in
    /// place; its K, steps, alpha and beta set). B̃ comes from <paramref name="b"/> in place (column tiles of a
    /// row-major B, stride ldb; a ragged last panel from <paramref name="packedB"/> unless the kernel masks columns)
    /// or, when b is null, from the packed block. Tiles of a row-major C go straight to the kernel (a ragged edge too
    /// where it masks columns); the others go through <see cref="ThroughScratch"/>, with the same arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<T, TKernel>(int mc, int nc, TileGrid<T> a, T* b, nint ldb, T* packedB,
        T* c, nint rowStride, nint columnStride, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int mr = TKernel.MR, nr = TKernel.NR, kc = a.K, wholeRows = mc / mr, lastRows = mc - wholeRows * mr;
        int wholeColumns = nc - nc % nr;
        TileGrid<T> grid = a;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            bool direct = columnStride == 1 && (cols == nr || TKernel.MasksColumns);
            if (b is not null && (jr < wholeColumns || TKernel.MasksColumns))
            {
                grid.B = b + jr;
                grid.Ldb = ldb;
            }
            else
            {
                grid.B = b is not null ? packedB : packedB + jr * kc;
                grid.Ldb = nr;
            }
            grid.A = a.A;
            grid.C = c + jr * columnStride;
            if (direct)
            {
                grid.Ldc = rowStride;
                grid.Columns = cols;
                if (wholeRows > 0)
                {
                    grid.RowTiles = wholeRows;
                    RunRows<T, TKernel>(mr, grid);
                }
                if (lastRows > 0)
                {
                    grid.A = a.A + wholeRows * a.TileStepA;
                    grid.C = c + wholeRows * mr * rowStride + jr * columnStride;
                    grid.RowTiles = 1;
                    RunRows<T, TKernel>(lastRows, grid);
                }
                continue;
            }
            for (int ir = 0; ir < mc; ir += mr, grid.A += a.TileStepA, grid.C += mr * rowStride)
                ThroughScratch<T, TKernel>(Math.Min(mr, mc - ir), cols, grid, rowStride, columnStride, scratch);
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

        /// <summary>Drops the pointers once the caller's spans are unpinned.</summary>
        public void Clear() => _op = default;

        public void Execute(int part, int partCount)
        {
            if (_splitColumns)
            {
                (int j0, int j1) = PartRange(part, partCount, _op.N, TKernel.NR);
                Packed<T, TKernel>(_op, _sizes, 0, _op.M, j0, j1);
            }
            else
            {
                (int i0, int i1) = PartRange(part, partCount, _op.M, TKernel.MR);
                Packed<T, TKernel>(_op, _sizes, i0, i1, 0, _op.N);
            }
        }
    }
}
