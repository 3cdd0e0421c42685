using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Packs op(A)[0..mc, 0..kc] (<paramref name="a"/> points at its first element) into MR-row micro-panels:
    /// panel r holds rows r·MR.. column-major, <c>dst[r·MR·kc + p·MR + i] = op(A)[r·MR + i, p]</c>; rows past mc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<T, TKernel>(bool transposeA, T* a, nint lda, int mc, int kc, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int mr = TKernel.MR;
        for (int ir = 0; ir < mc; ir += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transposeA)
            {
                // A stored k×m: each depth step is a contiguous run of the panel's rows.
                T* src = a + ir;
                if (rows == mr)
                {
                    for (int p = 0; p < kc; p++)
                        Unsafe.CopyBlockUnaligned(dst + p * mr, src + p * lda, (uint)(mr * sizeof(T)));
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int i = 0; i < rows; i++)
                            dst[p * mr + i] = src[p * lda + i];
                        for (int i = rows; i < mr; i++)
                            dst[p * mr + i] = T.Zero;
                    }
                }
            }
            else
            {
                // A stored m×k: a transpose of the panel's rows.
                T* src = a + ir * lda;
                for (int p = 0; p < kc; p++)
                {
                    for (int i = 0; i < rows; i++)
                        dst[p * mr + i] = src[i * lda + p];
                    for (int i = rows; i < mr; i++)
                        dst[p * mr + i] = T.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[0..kc, 0..nc] (<paramref name="b"/> points at its first element) into NR-column micro-panels:
    /// panel q holds columns q·NR.. row-major, <c>dst[q·NR·kc + p·NR + j] = op(B)[p, q·NR + j]</c>; columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<T, TKernel>(bool transposeB, T* b, nint ldb, int kc, int nc, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int nr = TKernel.NR;
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!transposeB)
            {
                // B stored k×n: each depth step is a contiguous run of the panel's columns.
                T* src = b + jr;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                        Unsafe.CopyBlockUnaligned(dst + p * nr, src + p * ldb, (uint)(nr * sizeof(T)));
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int j = 0; j < cols; j++)
                            dst[p * nr + j] = src[p * ldb + j];
                        for (int j = cols; j < nr; j++)
                            dst[p * nr + j] = T.Zero;
                    }
                }
            }
            else
            {
                // B stored n×k: a transpose of the panel's columns.
                T* src = b + jr * ldb;
                for (int p = 0; p < kc; p++)
                {
                    for (int j = 0; j < cols; j++)
                        dst[p * nr + j] = src[j * ldb + p];
                    for (int j = cols; j < nr; j++)
                        dst[p * nr + j] = T.Zero;
                }
            }
        }
    }
}
