using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Whether a call takes the unpacked AVX-512 path (BLIS's "sup"): small enough that packing A and B would cost
    /// more than it saves, or so narrow that a packed 32-wide tile would mostly compute padding.
    /// </summary>
    private static bool IsSmall<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Isa.Path != IsaPath.Vector512)
            return false;
        long volume = (long)op.M * op.N * op.K;
        return volume <= (op.TransposeB ? BlockSizes.SmallMaxVolumeTransposedB : BlockSizes.SmallMaxVolume)
            || (op.N <= Vector512<T>.Count && volume <= BlockSizes.NarrowMaxVolume)
            || IsShort(op);
    }

    /// <summary>
    /// Whether C is short (at most <see cref="BlockSizes.ShortMaxRows"/> rows) and B stays in L2 while each of C's few
    /// row tiles streams it, so packing B would be paid for by a handful of tiles; B stored n×k would need its
    /// transposed copy, which is a packing. Taken only where the packed path would also run on one thread and in one
    /// depth block: both paths then do the same arithmetic on every element, so results do not depend on the thread
    /// count. Measured at (64, 784, 256) float: 195-200 against 160-173 GFLOP/s packed; (64, 256, 256) 207-212 against 180.
    /// </summary>
    private static bool IsShort<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        !op.TransposeB && op.M <= BlockSizes.ShortMaxRows && (long)op.K * op.N * sizeof(T) <= BlockSizes.ShortMaxBytesB
        && op.K <= BlockSizes.For<T>(IsaPath.Vector512).KCMax && PartCount(op.M, op.N, op.K, Parallelism.MaxThreads) == 1;

    /// <summary>
    /// Whether a small call is better done as dot products (<see cref="SmallDot"/>): A·Bᵀ with C at most 16 wide and
    /// not a whole number of vectors, where <see cref="Small"/> would compute padding lanes. Measured at (64, n, 256):
    /// n = 10 float 110 against 60 GFLOP/s, double 72 against 55; n = 16 double 61 against 92 the other way.
    /// </summary>
    private static bool IsNarrowDot<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T> =>
        !op.TransposeA && op.TransposeB && op.N <= 16 && op.N % Vector512<T>.Count != 0;

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C without packing A: rows of op(B) are loaded straight from B (or from a transposed
    /// copy when B is stored n×k), elements of op(A) are broadcast from where they lie, and the ragged right edge uses
    /// masked loads and stores, so nothing outside the matrices is touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Small<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!op.TransposeB)
        {
            InPlaceA(op);
            return;
        }

        // Rows of op(B) must be contiguous to load as vectors: transpose B (n×k) into a k×n copy, one panel as wide as
        // C rounded up to whole vectors (the ragged edge is loaded masked, so its padding is never read).
        int w = Vector512<T>.Count, ldb = (op.N + w - 1) / w * w;
        T* b = PackingBuffers<T>.B(op.K * ldb);
        PackTransposed(op.B, op.Ldb, op.N, op.K, b, ldb);
        InPlaceA(new GemmOperands<T>(op.TransposeA, false, op.M, op.N, op.K, op.Alpha, op.A, op.Lda, b, ldb, op.Beta, op.C, op.Ldc));
    }

    /// <summary>
    /// C = alpha·op(A)·B + beta·C, B stored k×n (the caller's, or a packed micro-panel with ldb = NR), on the AVX-512
    /// tiles of the small path: op(A) is read where it lies, never packed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InPlaceA<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(!op.TransposeB && !op.TransposeC);
        // Rows are shared out evenly over tiles of at most 8 (m = 10: 5 + 5, not 8 + 1 + 1), so no tile is so short
        // that its few accumulator chains wait on FMA latency: tallTiles tiles of shortRows + 1 rows, then the rest of
        // shortRows.
        int m = op.M, tiles = (m + 7) / 8, shortRows = m / tiles, tallTiles = m - shortRows * tiles;
        if (tallTiles > 0)
            SmallRows<T>(shortRows + 1, op, 0, tallTiles);
        SmallRows<T>(shortRows, op, tallTiles * (shortRows + 1), tiles - tallTiles);
    }

    /// <summary><paramref name="tiles"/> row tiles of <paramref name="rows"/> (1..8) rows each, from row i0 down.</summary>
    private static void SmallRows<T>(int rows, in GemmOperands<T> op, int i0, int tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (rows)
        {
            case 8:
                SmallRows<T, Rows8>(op, i0, tiles);
                break;
            case 7:
                SmallRows<T, Rows7>(op, i0, tiles);
                break;
            case 6:
                SmallRows<T, Rows6>(op, i0, tiles);
                break;
            case 5:
                SmallRows<T, Rows5>(op, i0, tiles);
                break;
            case 4:
                SmallRows<T, Rows4>(op, i0, tiles);
                break;
            case 3:
                SmallRows<T, Rows3>(op, i0, tiles);
                break;
            case 2:
                SmallRows<T, Rows2>(op, i0, tiles);
                break;
            default:
                SmallRows<T, Rows1>(op, i0, tiles);
                break;
        }
    }

    /// <summary>
    /// <paramref name="tiles"/> row tiles of TRows rows from row i0 down, each left to right. Whole two-vector column
    /// blocks load and store without masks (a mask costs a k-register move per access); the ragged right edge, masked,
    /// follows in a pass of its own.
    /// </summary>
    /// <remarks>
    /// Row tiles outside, column blocks inside: the tile's rows of A stay in L1 while B streams by, and the stores to C
    /// sweep whole rows. The other order (a column block of B kept, all rows of C stored down it) put the B block and
    /// the C stores into the same few L1 sets whenever ldb and ldc are multiples of 2 KiB, and halved the speed of
    /// (256, 256, 10) double.
    /// </remarks>
    private static void SmallRows<T, TRows>(in GemmOperands<T> op, int i0, int tiles)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant
    {
        int w = Vector512<T>.Count, blocks = op.N / (2 * w), cols = op.N - blocks * 2 * w, j = blocks * 2 * w;
        Vector512<T> all = Vector512<T>.AllBitsSet;
        if (blocks > 0)
            SmallTile<T, TRows, TwoVectors, Unmasked>(op, i0, tiles, 0, blocks, all, all);
        if (cols > w)
            SmallTile<T, TRows, TwoVectors, Masked>(op, i0, tiles, j, 1, all, Masked512.FirstLanes<T>(cols - w));
        else if (cols > 0)
            SmallTile<T, TRows, OneVector, Masked>(op, i0, tiles, j, 1, Masked512.FirstLanes<T>(cols), all);
    }

    /// <summary>
    /// A grid of TRows × (one or two vectors) tiles of C from (i0, j0), <paramref name="rowTiles"/> down and
    /// <paramref name="count"/> across: the same register blocking as <see cref="MicroKernel512{T}"/>, with the row
    /// count, width and masking as JIT constants so unused accumulators and masks vanish. The tiles loop here rather
    /// than in a caller: with k = 10 a tile is about 100 cycles, and a call with its set-up per tile or per row of
    /// tiles was a measurable share of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile<T, TRows, TWidth, TMask>(in GemmOperands<T> op, int i0, int rowTiles,
        int j0, int count, Vector512<T> mask0, Vector512<T> mask1)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant where TWidth : struct, IConstant
        where TMask : struct, IConstant
    {
        int rows = TRows.Value, w = Vector512<T>.Count, k = op.K;
        bool two = TWidth.Value == 2;
        // op(A)[i + r, p] lies at a + r·rowStep + p·depthStep; rows 4..7 are addressed from a4, so every broadcast is
        // one base + scaled index without a per-step multiply.
        nint rowStep = op.TransposeA ? 1 : op.Lda, depthStep = op.TransposeA ? op.Lda : 1;
        nint rowStep2 = 2 * rowStep, rowStep3 = 3 * rowStep;
        nint ldb = op.Ldb, ldc = op.Ldc;
        T* b = op.B + j0, aTile = op.OpA(i0, 0), cTile = op.AtC(i0, j0);
        // Copies, so stores to C do not make the JIT reload them from op; alpha = 1 and beta = 0, the usual case,
        // store the accumulators as they are.
        T alpha = op.Alpha, beta = op.Beta;
        bool plain = alpha == T.One && beta == T.Zero;
        for (int tile = 0; tile < rowTiles; tile++, aTile += rows * rowStep, cTile += rows * ldc)
        for (int t = 0; t < count; t++)
        {
            T* a = aTile, a4 = a + 4 * rowStep, bp = b + t * 2 * w, c = cTile + t * 2 * w;
            if (beta != T.Zero)
            {
                // C is read only at the end, and after a first rank update it comes from L3 or memory: start
                // fetching the tile's rows now, behind the k loop (2048³ +1-2%, alternated in one process).
                for (int r = 0; r < rows; r++)
                {
                    Sse.Prefetch0(c + r * ldc);
                    if (two) Sse.Prefetch0(c + r * ldc + w);
                }
            }
            Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
            Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < k; p++, a += depthStep, a4 += depthStep, bp += ldb)
            {
                Vector512<T> b0 = Load<T, TMask>(bp, mask0);
                Vector512<T> b1 = two ? Load<T, TMask>(bp + w, mask1) : default;
                Vector512<T> ai = Vector512.Create(a[0]);
                c00 = VectorMath.MultiplyAdd(ai, b0, c00);
                if (two) c01 = VectorMath.MultiplyAdd(ai, b1, c01);
                if (rows > 1)
                {
                    ai = Vector512.Create(a[rowStep]);
                    c10 = VectorMath.MultiplyAdd(ai, b0, c10);
                    if (two) c11 = VectorMath.MultiplyAdd(ai, b1, c11);
                }
                if (rows > 2)
                {
                    ai = Vector512.Create(a[rowStep2]);
                    c20 = VectorMath.MultiplyAdd(ai, b0, c20);
                    if (two) c21 = VectorMath.MultiplyAdd(ai, b1, c21);
                }
                if (rows > 3)
                {
                    ai = Vector512.Create(a[rowStep3]);
                    c30 = VectorMath.MultiplyAdd(ai, b0, c30);
                    if (two) c31 = VectorMath.MultiplyAdd(ai, b1, c31);
                }
                if (rows > 4)
                {
                    ai = Vector512.Create(a4[0]);
                    c40 = VectorMath.MultiplyAdd(ai, b0, c40);
                    if (two) c41 = VectorMath.MultiplyAdd(ai, b1, c41);
                }
                if (rows > 5)
                {
                    ai = Vector512.Create(a4[rowStep]);
                    c50 = VectorMath.MultiplyAdd(ai, b0, c50);
                    if (two) c51 = VectorMath.MultiplyAdd(ai, b1, c51);
                }
                if (rows > 6)
                {
                    ai = Vector512.Create(a4[rowStep2]);
                    c60 = VectorMath.MultiplyAdd(ai, b0, c60);
                    if (two) c61 = VectorMath.MultiplyAdd(ai, b1, c61);
                }
                if (rows > 7)
                {
                    ai = Vector512.Create(a4[rowStep3]);
                    c70 = VectorMath.MultiplyAdd(ai, b0, c70);
                    if (two) c71 = VectorMath.MultiplyAdd(ai, b1, c71);
                }
            }
            UpdateRow<T, TWidth, TMask>(c, c00, c01, mask0, mask1, plain, alpha, beta);
            if (rows > 1) UpdateRow<T, TWidth, TMask>(c + ldc, c10, c11, mask0, mask1, plain, alpha, beta);
            if (rows > 2) UpdateRow<T, TWidth, TMask>(c + 2 * ldc, c20, c21, mask0, mask1, plain, alpha, beta);
            if (rows > 3) UpdateRow<T, TWidth, TMask>(c + 3 * ldc, c30, c31, mask0, mask1, plain, alpha, beta);
            if (rows > 4) UpdateRow<T, TWidth, TMask>(c + 4 * ldc, c40, c41, mask0, mask1, plain, alpha, beta);
            if (rows > 5) UpdateRow<T, TWidth, TMask>(c + 5 * ldc, c50, c51, mask0, mask1, plain, alpha, beta);
            if (rows > 6) UpdateRow<T, TWidth, TMask>(c + 6 * ldc, c60, c61, mask0, mask1, plain, alpha, beta);
            if (rows > 7) UpdateRow<T, TWidth, TMask>(c + 7 * ldc, c70, c71, mask0, mask1, plain, alpha, beta);
        }
    }

    /// <summary>
    /// One tile row: c := beta·c + alpha·(x0, x1) (c := (x0, x1) when <paramref name="plain"/>: alpha = 1, beta = 0),
    /// without reading c when beta is zero and, when TMask says so, with lanes outside the masks neither read nor written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow<T, TWidth, TMask>(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> mask0, Vector512<T> mask1,
        bool plain, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : struct, IConstant where TMask : struct, IConstant
    {
        bool two = TWidth.Value == 2;
        T* c1 = c + Vector512<T>.Count;
        if (!plain)
        {
            Vector512<T> va = Vector512.Create(alpha);
            x0 *= va;
            if (two) x1 *= va;
            if (beta != T.Zero)
            {
                Vector512<T> vb = Vector512.Create(beta);
                x0 = VectorMath.MultiplyAdd(vb, Load<T, TMask>(c, mask0), x0);
                if (two) x1 = VectorMath.MultiplyAdd(vb, Load<T, TMask>(c1, mask1), x1);
            }
        }
        Store<T, TMask>(c, mask0, x0);
        if (two) Store<T, TMask>(c1, mask1, x1);
    }

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Load<T, TMask>(T* p, Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant =>
        TMask.Value == 0 ? Vector512.Load(p) : Masked512.Load(p, mask);

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T, TMask>(T* p, Vector512<T> mask, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant
    {
        if (TMask.Value == 0)
            x.Store(p);
        else
            Masked512.Store(p, mask, x);
    }
}
