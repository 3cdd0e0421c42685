using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// The micro-kernel of the AVX2 path (Vector256: 6×16 float, 6×8 double) and of the 128-bit path (SSE, AdvSimd:
/// 6×8 float, 6×4 double): tiles of up to 6 × (2·W), W the lanes of <typeparamref name="TVector"/>, BLIS's Haswell
/// shape: 12 accumulators, two B̃ vectors and a broadcast in 15 of the 16 registers those instruction sets have.
/// Whole column tiles only (no lane masks on every path it serves).
/// </summary>
internal readonly unsafe struct MicroKernel6x2<T, TVector, TWidth> : IMicroKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
    where TWidth : IVectorWidth<T, TVector>
{
    public static int MR => 6;
    public static int NR => 2 * TWidth.Count;
    public static bool MasksColumns => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TRows>(in TileGrid<T> grid) where TRows : struct, IConstant
    {
        Debug.Assert(grid.Columns % NR == 0 && TRows.Value <= MR);
        int rows = TRows.Value, k = grid.K, columnTiles = grid.Columns / NR;
        nuint w = (nuint)TWidth.Count;
        // Rows 3..5 are addressed from a3, so every broadcast is one base + scaled index.
        nint rowStep = grid.RowStepA, depthStep = grid.DepthStepA, rowStep2 = 2 * rowStep;
        nint ldb = grid.Ldb, ldc = grid.Ldc;
        T alpha = grid.Alpha, beta = grid.Beta;
        nint tileStepA = grid.TileStepA, tileStepB = grid.TileStepB;
        int rowTiles = grid.RowTiles;
        T* aTile = grid.A, cTile = grid.C, bFirst = grid.B;
        for (int tile = 0; tile < rowTiles; tile++, aTile += tileStepA, cTile += rows * ldc)
        for (int t = 0; t < columnTiles; t++)
        {
            T* a = aTile, a3 = a + 3 * rowStep, b = bFirst + t * tileStepB, c = cTile + t * NR;
            // C is touched only at the end: start fetching its rows now, behind the k loop (it comes from L2 or L3
            // when a later rank update reads it back).
            if (Sse.IsSupported)
            {
                for (int i = 0; i < rows; i++)
                {
                    Sse.Prefetch0(c + i * ldc);
                    Sse.Prefetch0(c + i * ldc + (nint)(2 * w) - 1);
                }
            }
            TVector c00 = default, c01 = default, c10 = default, c11 = default;
            TVector c20 = default, c21 = default, c30 = default, c31 = default;
            TVector c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < k; p++, a += depthStep, a3 += depthStep, b += ldb)
            {
                TVector b0 = TWidth.Load(ref *b, 0), b1 = TWidth.Load(ref *b, w);
                TVector ai = TWidth.Broadcast(a[0]);
                c00 = TWidth.MultiplyAdd(ai, b0, c00); c01 = TWidth.MultiplyAdd(ai, b1, c01);
                if (rows > 1)
                {
                    ai = TWidth.Broadcast(a[rowStep]);
                    c10 = TWidth.MultiplyAdd(ai, b0, c10); c11 = TWidth.MultiplyAdd(ai, b1, c11);
                }
                if (rows > 2)
                {
                    ai = TWidth.Broadcast(a[rowStep2]);
                    c20 = TWidth.MultiplyAdd(ai, b0, c20); c21 = TWidth.MultiplyAdd(ai, b1, c21);
                }
                if (rows > 3)
                {
                    ai = TWidth.Broadcast(a3[0]);
                    c30 = TWidth.MultiplyAdd(ai, b0, c30); c31 = TWidth.MultiplyAdd(ai, b1, c31);
                }
                if (rows > 4)
                {
                    ai = TWidth.Broadcast(a3[rowStep]);
                    c40 = TWidth.MultiplyAdd(ai, b0, c40); c41 = TWidth.MultiplyAdd(ai, b1, c41);
                }
                if (rows > 5)
                {
                    ai = TWidth.Broadcast(a3[rowStep2]);
                    c50 = TWidth.MultiplyAdd(ai, b0, c50); c51 = TWidth.MultiplyAdd(ai, b1, c51);
                }
            }
            Update(c, c00, c01, alpha, beta);
            if (rows > 1) Update(c + ldc, c10, c11, alpha, beta);
            if (rows > 2) Update(c + 2 * ldc, c20, c21, alpha, beta);
            if (rows > 3) Update(c + 3 * ldc, c30, c31, alpha, beta);
            if (rows > 4) Update(c + 4 * ldc, c40, c41, alpha, beta);
            if (rows > 5) Update(c + 5 * ldc, c50, c51, alpha, beta);
        }
    }

    /// <summary>One tile row: c := beta·c + alpha·(x0, x1), without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, TVector x0, TVector x1, T alpha, T beta)
    {
        nuint w = (nuint)TWidth.Count;
        TVector va = TWidth.Broadcast(alpha);
        x0 = TWidth.Multiply(x0, va);
        x1 = TWidth.Multiply(x1, va);
        if (beta != T.Zero)
        {
            TVector vb = TWidth.Broadcast(beta);
            x0 = TWidth.MultiplyAdd(vb, TWidth.Load(ref *c, 0), x0);
            x1 = TWidth.MultiplyAdd(vb, TWidth.Load(ref *c, w), x1);
        }
        TWidth.Store(x0, ref *c, 0);
        TWidth.Store(x1, ref *c, w);
    }
}
