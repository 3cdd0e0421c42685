using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>Scalar micro-kernel for machines (or runs) without SIMD: tiles of up to 4×4, whose 16 accumulators fill the 16 floating-point registers of x64.</summary>
internal readonly unsafe struct MicroKernelScalar<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 4;
    public static int NR => 4;
    public static bool MasksColumns => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TRows>(in TileGrid<T> grid) where TRows : struct, IConstant
    {
        Debug.Assert(grid.Columns % NR == 0 && TRows.Value <= MR);
        int rows = TRows.Value, k = grid.K, columnTiles = grid.Columns / NR;
        nint rowStep = grid.RowStepA, depthStep = grid.DepthStepA, r2 = 2 * rowStep, r3 = 3 * rowStep;
        nint ldb = grid.Ldb, ldc = grid.Ldc;
        T alpha = grid.Alpha, beta = grid.Beta;
        nint tileStepA = grid.TileStepA, tileStepB = grid.TileStepB;
        int rowTiles = grid.RowTiles;
        T* aTile = grid.A, cTile = grid.C, bFirst = grid.B;
        for (int tile = 0; tile < rowTiles; tile++, aTile += tileStepA, cTile += rows * ldc)
        for (int t = 0; t < columnTiles; t++)
        {
            T* a = aTile, b = bFirst + t * tileStepB, c = cTile + t * NR;
            T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
            T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
            T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
            T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
            for (int p = 0; p < k; p++, a += depthStep, b += ldb)
            {
                T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
                T ai = a[0];
                c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
                if (rows > 1)
                {
                    ai = a[rowStep];
                    c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
                }
                if (rows > 2)
                {
                    ai = a[r2];
                    c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
                }
                if (rows > 3)
                {
                    ai = a[r3];
                    c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;
                }
            }
            Update(c, c00, c01, c02, c03, alpha, beta);
            if (rows > 1) Update(c + ldc, c10, c11, c12, c13, alpha, beta);
            if (rows > 2) Update(c + 2 * ldc, c20, c21, c22, c23, alpha, beta);
            if (rows > 3) Update(c + 3 * ldc, c30, c31, c32, c33, alpha, beta);
        }
    }

    /// <summary>One tile row: c := beta·c + alpha·x, without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, T x0, T x1, T x2, T x3, T alpha, T beta)
    {
        x0 *= alpha;
        x1 *= alpha;
        x2 *= alpha;
        x3 *= alpha;
        if (beta != T.Zero)
        {
            x0 += beta * c[0];
            x1 += beta * c[1];
            x2 += beta * c[2];
            x3 += beta * c[3];
        }
        c[0] = x0;
        c[1] = x1;
        c[2] = x2;
        c[3] = x3;
    }
}
