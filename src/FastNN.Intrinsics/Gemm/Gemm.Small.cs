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
        int w = Vector512<T>.Count;
        T* b = op.B;
        nint ldb = op.Ldb;
        if (op.TransposeB)
        {
            // Rows of op(B) must be contiguous to load as vectors: transpose B (n×k) into a k×n copy.
            ldb = (op.N + w - 1) / w * w;
            b = PackingBuffers<T>.B(op.K * (int)ldb);
            // Register-block transposes for whole 8×8 (4×4) blocks, scalar copies for the rest.
            int blockRows = op.N - op.N % (32 / sizeof(T));
            int blockDepth = TransposeBlocks<T>(op.B, op.Ldb, blockRows, op.K, b, ldb);
            for (int j = 0; j < op.N; j++)
            {
                T* src = op.B + j * op.Ldb;
                for (int p = j < blockRows ? blockDepth : 0; p < op.K; p++)
                    b[p * ldb + j] = src[p];
            }
        }

        // Rows are shared out evenly over tiles of at most 8 (m = 10: 5 + 5, not 8 + 1 + 1), so no tile is so short
        // that its few accumulator chains wait on FMA latency.
        int m = op.M, tiles = (m + 7) / 8, shortRows = m / tiles, tallTiles = m - shortRows * tiles;
        for (int t = 0, i = 0, rows; t < tiles; t++, i += rows)
        {
            rows = t < tallTiles ? shortRows + 1 : shortRows;
            switch (rows)
            {
                case 8:
                    SmallRows<T, Rows8>(op, b, ldb, i);
                    break;
                case 7:
                    SmallRows<T, Rows7>(op, b, ldb, i);
                    break;
                case 6:
                    SmallRows<T, Rows6>(op, b, ldb, i);
                    break;
                case 5:
                    SmallRows<T, Rows5>(op, b, ldb, i);
                    break;
                case 4:
                    SmallRows<T, Rows4>(op, b, ldb, i);
                    break;
                case 3:
                    SmallRows<T, Rows3>(op, b, ldb, i);
                    break;
                case 2:
                    SmallRows<T, Rows2>(op, b, ldb, i);
                    break;
                default:
                    SmallRows<T, Rows1>(op, b, ldb, i);
                    break;
            }
        }
    }

    /// <summary>
    /// TRows rows of C from row i, left to right. Whole two-vector column blocks load and store without masks (a mask
    /// costs a k-register move per access); only the ragged right edge is masked.
    /// </summary>
    /// <remarks>
    /// Row tiles outside, column blocks inside: the tile's rows of A stay in L1 while B streams by, and the stores to C
    /// sweep whole rows. The other order (a column block of B kept, all rows of C stored down it) put the B block and
    /// the C stores into the same few L1 sets whenever ldb and ldc are multiples of 2 KiB, and halved the speed of
    /// (256, 256, 10) double.
    /// </remarks>
    private static void SmallRows<T, TRows>(in GemmOperands<T> op, T* b, nint ldb, int i)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant
    {
        int w = Vector512<T>.Count, blocks = op.N / (2 * w), cols = op.N - blocks * 2 * w, j = blocks * 2 * w;
        Vector512<T> all = Vector512<T>.AllBitsSet;
        if (blocks > 0)
            SmallTile<T, TRows, TwoVectors, Unmasked>(op, b, ldb, i, 0, blocks, all, all);
        if (cols > w)
            SmallTile<T, TRows, TwoVectors, Masked>(op, b, ldb, i, j, 1, all, FirstLanes<T>(cols - w));
        else if (cols > 0)
            SmallTile<T, TRows, OneVector, Masked>(op, b, ldb, i, j, 1, FirstLanes<T>(cols), all);
    }

    /// <summary>
    /// <paramref name="count"/> TRows × (one or two vectors) tiles of C side by side from (i, j0): the same register
    /// blocking as <see cref="MicroKernel512{T}"/>, with the row count, width and masking as JIT constants so unused
    /// accumulators and masks vanish. The tiles loop here rather than in the caller: with k = 10 a tile is about
    /// 100 cycles, and a call with its set-up per tile was a measurable share of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile<T, TRows, TWidth, TMask>(in GemmOperands<T> op, T* b, nint ldb, int i, int j0, int count,
        Vector512<T> mask0, Vector512<T> mask1)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant where TWidth : struct, IConstant
        where TMask : struct, IConstant
    {
        int rows = TRows.Value, w = Vector512<T>.Count, k = op.K;
        bool two = TWidth.Value == 2;
        // op(A)[i + r, p] lies at a + r·rowStep + p·depthStep; rows 4..7 are addressed from a4, so every broadcast is
        // one base + scaled index without a per-step multiply.
        nint rowStep = op.TransposeA ? 1 : op.Lda, depthStep = op.TransposeA ? op.Lda : 1;
        nint rowStep2 = 2 * rowStep, rowStep3 = 3 * rowStep;
        T* aTile = op.OpA(i, 0);
        T* c = op.AtC(i, j0);
        nint ldc = op.Ldc;
        // Copies, so stores to C do not make the JIT reload them from op; alpha = 1 and beta = 0, the usual case,
        // store the accumulators as they are.
        T alpha = op.Alpha, beta = op.Beta;
        bool plain = alpha == T.One && beta == T.Zero;
        b += j0;
        for (int t = 0; t < count; t++, b += 2 * w, c += 2 * w)
        {
            T* a = aTile, a4 = a + 4 * rowStep, bp = b;
            Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
            Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < k; p++, a += depthStep, a4 += depthStep, bp += ldb)
            {
                Vector512<T> b0 = Load<T, TMask>(bp, mask0);
                Vector512<T> b1 = two ? Load<T, TMask>(bp + w, mask1) : default;
                Vector512<T> ai = Vector512.Create(a[0]);
                c00 = MultiplyAdd.Estimate(ai, b0, c00);
                if (two) c01 = MultiplyAdd.Estimate(ai, b1, c01);
                if (rows > 1)
                {
                    ai = Vector512.Create(a[rowStep]);
                    c10 = MultiplyAdd.Estimate(ai, b0, c10);
                    if (two) c11 = MultiplyAdd.Estimate(ai, b1, c11);
                }
                if (rows > 2)
                {
                    ai = Vector512.Create(a[rowStep2]);
                    c20 = MultiplyAdd.Estimate(ai, b0, c20);
                    if (two) c21 = MultiplyAdd.Estimate(ai, b1, c21);
                }
                if (rows > 3)
                {
                    ai = Vector512.Create(a[rowStep3]);
                    c30 = MultiplyAdd.Estimate(ai, b0, c30);
                    if (two) c31 = MultiplyAdd.Estimate(ai, b1, c31);
                }
                if (rows > 4)
                {
                    ai = Vector512.Create(a4[0]);
                    c40 = MultiplyAdd.Estimate(ai, b0, c40);
                    if (two) c41 = MultiplyAdd.Estimate(ai, b1, c41);
                }
                if (rows > 5)
                {
                    ai = Vector512.Create(a4[rowStep]);
                    c50 = MultiplyAdd.Estimate(ai, b0, c50);
                    if (two) c51 = MultiplyAdd.Estimate(ai, b1, c51);
                }
                if (rows > 6)
                {
                    ai = Vector512.Create(a4[rowStep2]);
                    c60 = MultiplyAdd.Estimate(ai, b0, c60);
                    if (two) c61 = MultiplyAdd.Estimate(ai, b1, c61);
                }
                if (rows > 7)
                {
                    ai = Vector512.Create(a4[rowStep3]);
                    c70 = MultiplyAdd.Estimate(ai, b0, c70);
                    if (two) c71 = MultiplyAdd.Estimate(ai, b1, c71);
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
                x0 = MultiplyAdd.Estimate(vb, Load<T, TMask>(c, mask0), x0);
                if (two) x1 = MultiplyAdd.Estimate(vb, Load<T, TMask>(c1, mask1), x1);
            }
        }
        Store<T, TMask>(c, mask0, x0);
        if (two) Store<T, TMask>(c1, mask1, x1);
    }

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Load<T, TMask>(T* p, Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant =>
        TMask.Value == 0 ? Vector512.Load(p) : LoadMasked(p, mask);

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T, TMask>(T* p, Vector512<T> mask, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant
    {
        if (TMask.Value == 0)
            x.Store(p);
        else
            StoreMasked(p, mask, x);
    }

    /// <summary>A mask of the first <paramref name="count"/> lanes (all lanes when count ≥ Count, none when count ≤ 0).</summary>
    private static Vector512<T> FirstLanes<T>(int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>();
        return Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>();
    }

    /// <summary>Loads the masked lanes (zero elsewhere); masked-off lanes are not read, so they may lie past the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LoadMasked<T>(T* p, Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
        return Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
    }

    /// <summary>Stores the masked lanes only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked<T>(T* p, Vector512<T> mask, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)p, mask.AsSingle(), x.AsSingle());
        else
            Avx512F.MaskStore((double*)p, mask.AsDouble(), x.AsDouble());
    }
}
