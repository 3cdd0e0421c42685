using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// The AVX-512 micro-kernel: tiles of up to 8 × (2·<see cref="Vector512{T}.Count"/>) (8×32 float, 8×16 double) in 16
/// of the 32 zmm registers, for the packed path and the small path alike.
/// </summary>
/// <remarks>
/// The ragged right edge of C is loaded and stored under lane masks, one vector wide when the edge is: no scratch
/// tile, no zero padding of B̃, and none of the FMAs of a missing half (a 784-wide C ends in a 16-column edge in
/// float). Whole tiles go first without masks (a mask costs a k-register move per access), the edge in a pass of its own.
/// </remarks>
internal readonly unsafe struct MicroKernel512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 8;
    public static int NR => 2 * Vector512<T>.Count;
    public static bool MasksColumns => true;

    public static void Run<TRows>(in TileGrid<T> grid) where TRows : struct, IConstant
    {
        int w = Vector512<T>.Count, whole = grid.Columns / (2 * w), rest = grid.Columns - whole * 2 * w;
        Vector512<T> all = Vector512<T>.AllBitsSet;
        if (whole > 0)
            Tiles<TRows, TwoVectors, Unmasked>(grid, 0, whole, all, all);
        if (rest > w)
            Tiles<TRows, TwoVectors, Masked>(grid, whole, 1, all, Masked512.FirstLanes<T>(rest - w));
        else if (rest > 0)
            Tiles<TRows, OneVector, Masked>(grid, whole, 1, Masked512.FirstLanes<T>(rest), all);
    }

    /// <summary>
    /// Row tiles of TRows rows by <paramref name="count"/> column tiles from column tile <paramref name="first"/>,
    /// each one or two vectors wide (TWidth), B̃ and C accessed whole or under the masks (TMask): the row count,
    /// width and masking are JIT constants, so unused accumulators, broadcasts and masks vanish.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TRows, TWidth, TMask>(in TileGrid<T> grid, int first, int count, Vector512<T> mask0, Vector512<T> mask1)
        where TRows : struct, IConstant where TWidth : struct, IConstant where TMask : struct, IConstant
    {
        int rows = TRows.Value, w = Vector512<T>.Count, k = grid.K;
        bool two = TWidth.Value == 2;
        // Rows 4..7 are addressed from a4, so every broadcast is one base + scaled index without a per-step multiply.
        nint rowStep = grid.RowStepA, depthStep = grid.DepthStepA, rowStep2 = 2 * rowStep, rowStep3 = 3 * rowStep;
        nint ldb = grid.Ldb, ldc = grid.Ldc, tileStepA = grid.TileStepA, tileStepB = grid.TileStepB;
        int rowTiles = grid.RowTiles;
        T* aTile = grid.A, cTile = grid.C + first * 2 * w, bFirst = grid.B + first * tileStepB;
        // Copies, so stores to C do not make the JIT reload them from the grid; alpha = 1 and beta = 0, the usual
        // case, store the accumulators as they are (the same bits as scaling by one).
        T alpha = grid.Alpha, beta = grid.Beta;
        bool plain = alpha == T.One && beta == T.Zero;
        for (int tile = 0; tile < rowTiles; tile++, aTile += tileStepA, cTile += rows * ldc)
        for (int t = 0; t < count; t++)
        {
            T* a = aTile, a4 = a + 4 * rowStep, bp = bFirst + t * tileStepB, c = cTile + t * 2 * w;
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
                Vector512<T> b0 = Masked512.Load<T, TMask>(bp, mask0);
                Vector512<T> b1 = two ? Masked512.Load<T, TMask>(bp + w, mask1) : default;
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
            UpdateRow<TWidth, TMask>(c, c00, c01, mask0, mask1, plain, alpha, beta);
            if (rows > 1) UpdateRow<TWidth, TMask>(c + ldc, c10, c11, mask0, mask1, plain, alpha, beta);
            if (rows > 2) UpdateRow<TWidth, TMask>(c + 2 * ldc, c20, c21, mask0, mask1, plain, alpha, beta);
            if (rows > 3) UpdateRow<TWidth, TMask>(c + 3 * ldc, c30, c31, mask0, mask1, plain, alpha, beta);
            if (rows > 4) UpdateRow<TWidth, TMask>(c + 4 * ldc, c40, c41, mask0, mask1, plain, alpha, beta);
            if (rows > 5) UpdateRow<TWidth, TMask>(c + 5 * ldc, c50, c51, mask0, mask1, plain, alpha, beta);
            if (rows > 6) UpdateRow<TWidth, TMask>(c + 6 * ldc, c60, c61, mask0, mask1, plain, alpha, beta);
            if (rows > 7) UpdateRow<TWidth, TMask>(c + 7 * ldc, c70, c71, mask0, mask1, plain, alpha, beta);
        }
    }

    /// <summary>
    /// One tile row: c := beta·c + alpha·(x0, x1) (c := (x0, x1) when <paramref name="plain"/>: alpha = 1, beta = 0),
    /// without reading c when beta is zero and, when TMask says so, with lanes outside the masks neither read nor written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow<TWidth, TMask>(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> mask0, Vector512<T> mask1,
        bool plain, T alpha, T beta)
        where TWidth : struct, IConstant where TMask : struct, IConstant
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
                x0 = VectorMath.MultiplyAdd(vb, Masked512.Load<T, TMask>(c, mask0), x0);
                if (two) x1 = VectorMath.MultiplyAdd(vb, Masked512.Load<T, TMask>(c1, mask1), x1);
            }
        }
        Masked512.Store<T, TMask>(c, mask0, x0);
        if (two) Masked512.Store<T, TMask>(c1, mask1, x1);
    }
}
