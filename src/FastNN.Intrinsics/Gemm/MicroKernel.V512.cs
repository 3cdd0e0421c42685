using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>AVX-512 micro-kernel: an 8 × (2·<see cref="Vector512{T}.Count"/>) tile (8×32 float, 8×16 double) in 16 of the 32 zmm registers.</summary>
/// <remarks>Edge tiles are stored in place under lane masks, and one vector wide when the edge is: no scratch tile,
/// and none of the FMAs of a missing half (a 784-wide C ends in a 16-column edge in float).</remarks>
internal readonly unsafe struct MicroKernel512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 8;
    public static int NR => 2 * Vector512<T>.Count;

    public static void Run(int k, T* a, nint rowStepA, nint depthStepA, T* b, nint ldb, T alpha, T beta, T* c, nint ldc) =>
        Tile<TwoVectors>(k, a, rowStepA, depthStepA, b, ldb, alpha, beta, c, ldc, 8, Vector512<T>.AllBitsSet, Vector512<T>.AllBitsSet);

    public static bool TryRunEdge(int k, T* a, nint rowStepA, nint depthStepA, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int rows, int cols)
    {
        int w = Vector512<T>.Count;
        Vector512<T> mask0 = Masked512.FirstLanes<T>(cols), mask1 = Masked512.FirstLanes<T>(cols - w);
        if (cols > w)
            Tile<TwoVectors>(k, a, rowStepA, depthStepA, b, ldb, alpha, beta, c, ldc, rows, mask0, mask1);
        else
            Tile<OneVector>(k, a, rowStepA, depthStepA, b, ldb, alpha, beta, c, ldc, rows, mask0, mask1);
        return true;
    }

    /// <summary>
    /// The first <paramref name="rows"/> rows of a tile TWidth vectors wide, lanes outside the masks neither read nor
    /// written. Every element gets the same operations whatever the tile's shape, so edges match whole tiles bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TWidth>(int k, T* a, nint rowStepA, nint depthStepA, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int rows,
        Vector512<T> mask0, Vector512<T> mask1)
        where TWidth : struct, IConstant
    {
        int w = Vector512<T>.Count;
        bool two = TWidth.Value == 2;
        // C is touched only at the end: start fetching its 8 rows (two cache lines each) now, behind the k loop.
        for (int i = 0; i < 8; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + w);
        }
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        // Rows 4..7 are addressed from a4, so every broadcast is one base + scaled index.
        nint r2 = 2 * rowStepA, r3 = 3 * rowStepA;
        T* a4 = a + 4 * rowStepA;
        for (int p = 0; p < k; p++, a += depthStepA, a4 += depthStepA)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = two ? Vector512.Load(b + w) : default;
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = VectorMath.MultiplyAdd(ai, b0, c00); if (two) c01 = VectorMath.MultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[rowStepA]);
            c10 = VectorMath.MultiplyAdd(ai, b0, c10); if (two) c11 = VectorMath.MultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[r2]);
            c20 = VectorMath.MultiplyAdd(ai, b0, c20); if (two) c21 = VectorMath.MultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[r3]);
            c30 = VectorMath.MultiplyAdd(ai, b0, c30); if (two) c31 = VectorMath.MultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a4[0]);
            c40 = VectorMath.MultiplyAdd(ai, b0, c40); if (two) c41 = VectorMath.MultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a4[rowStepA]);
            c50 = VectorMath.MultiplyAdd(ai, b0, c50); if (two) c51 = VectorMath.MultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a4[r2]);
            c60 = VectorMath.MultiplyAdd(ai, b0, c60); if (two) c61 = VectorMath.MultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a4[r3]);
            c70 = VectorMath.MultiplyAdd(ai, b0, c70); if (two) c71 = VectorMath.MultiplyAdd(ai, b1, c71);
            b += ldb;
        }
        Update<TWidth>(c, c00, c01, alpha, beta, mask0, mask1);
        if (rows == 1) return;
        Update<TWidth>(c + ldc, c10, c11, alpha, beta, mask0, mask1);
        if (rows == 2) return;
        Update<TWidth>(c + 2 * ldc, c20, c21, alpha, beta, mask0, mask1);
        if (rows == 3) return;
        Update<TWidth>(c + 3 * ldc, c30, c31, alpha, beta, mask0, mask1);
        if (rows == 4) return;
        Update<TWidth>(c + 4 * ldc, c40, c41, alpha, beta, mask0, mask1);
        if (rows == 5) return;
        Update<TWidth>(c + 5 * ldc, c50, c51, alpha, beta, mask0, mask1);
        if (rows == 6) return;
        Update<TWidth>(c + 6 * ldc, c60, c61, alpha, beta, mask0, mask1);
        if (rows == 7) return;
        Update<TWidth>(c + 7 * ldc, c70, c71, alpha, beta, mask0, mask1);
    }

    /// <summary>One tile row: c := beta·c + alpha·(x0, x1) on the masked lanes, without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TWidth>(T* c, Vector512<T> x0, Vector512<T> x1, T alpha, T beta, Vector512<T> mask0, Vector512<T> mask1)
        where TWidth : struct, IConstant
    {
        bool two = TWidth.Value == 2;
        T* c1 = c + Vector512<T>.Count;
        Vector512<T> va = Vector512.Create(alpha);
        x0 *= va;
        if (two) x1 *= va;
        if (beta != T.Zero)
        {
            Vector512<T> vb = Vector512.Create(beta);
            x0 = VectorMath.MultiplyAdd(vb, Masked512.Load(c, mask0), x0);
            if (two) x1 = VectorMath.MultiplyAdd(vb, Masked512.Load(c1, mask1), x1);
        }
        Masked512.Store(c, mask0, x0);
        if (two) Masked512.Store(c1, mask1, x1);
    }
}
