using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
                PackTransposed(a + ir * lda, lda, rows, kc, dst, mr);
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
        if (!transposeB)
        {
            PackRows<T, TKernel>(b, ldb, kc, nc, dst);
            return;
        }
        // B stored n×k: a transpose of each panel's columns.
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc)
            PackTransposed(b + jr * ldb, ldb, Math.Min(nr, nc - jr), kc, dst, nr);
    }

    /// <summary>
    /// One micro-panel <paramref name="panelWidth"/> wide from <paramref name="width"/> source rows read across:
    /// <c>dst[p·panelWidth + r] = src[r·lds + p]</c> for r &lt; width, zeros for the rest of each depth step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackTransposed<T>(T* src, nint lds, int width, int kc, T* dst, int panelWidth)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = TransposeBlocks<T>(src, lds, width, kc, dst, panelWidth); p < kc; p++)
        {
            for (int r = 0; r < width; r++)
                dst[p * panelWidth + r] = src[r * lds + p];
            for (int r = width; r < panelWidth; r++)
                dst[p * panelWidth + r] = T.Zero;
        }
    }

    /// <summary>
    /// PackB for B stored k×n: every depth step of a panel is a contiguous run of its columns. Whole panels go
    /// <see cref="RowPanels"/> at a time, depth outer, so each row of B is read in runs of RowPanels·NR elements rather
    /// than NR at a time down every panel (a row per 4 KiB page at n = 1024, out of reach of the hardware prefetcher).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows<T, TKernel>(T* b, nint ldb, int kc, int nc, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        // NR a JIT constant, so each panel row is copied by a few vector moves, not a call to memmove.
        int nr = TKernel.NR;
        int whole = nc - nc % nr;
        for (int j0 = 0; j0 < whole; j0 += RowPanels * nr)
        {
            int width = Math.Min(RowPanels * nr, whole - j0);
            T* panels = dst + j0 * kc;
            for (int p = 0; p < kc; p++)
            {
                T* src = b + p * ldb + j0, row = panels + p * nr;
                for (int j = 0; j < width; j += nr)
                    Unsafe.CopyBlockUnaligned(row + j * kc, src + j, (uint)(nr * sizeof(T)));
            }
        }
        if (whole < nc)
        {
            int cols = nc - whole;
            T* panel = dst + whole * kc;
            for (int p = 0; p < kc; p++)
            {
                Unsafe.CopyBlockUnaligned(panel + p * nr, b + p * ldb + whole, (uint)(cols * sizeof(T)));
                Unsafe.InitBlockUnaligned(panel + p * nr + cols, 0, (uint)((nr - cols) * sizeof(T)));
            }
        }
    }

    /// <summary>Panels <see cref="PackRows"/> fills side by side: 4 × 128 bytes per row of B with the AVX-512 float kernel.</summary>
    private const int RowPanels = 4;

    /// <summary>
    /// The vector part of a transposing copy: <c>dst[p·ldd + r] = src[r·lds + p]</c> for r &lt; width and p below the
    /// largest multiple of the block side not above kc, in square register blocks. Returns how far in p it got
    /// (0 without AVX); the caller finishes the rest.
    /// </summary>
    /// <remarks>
    /// When width is not a multiple of the side (the 6-row panels of the 256-bit kernel, the last panel of any
    /// kernel), the last rows go through a zero-filled block whose whole-vector stores write side elements from
    /// column <c>width - width % side</c> of each destination row: zeros over its padding up to ldd, and past ldd
    /// onto the next row or the buffer's slack. That is only allowed into packed panels (width ≤ ldd, the buffer has
    /// slack): the spill lands on elements written later, since the partial block goes first and packing proceeds forward.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TransposeBlocks<T>(T* src, nint lds, int width, int kc, T* dst, nint ldd) where T : unmanaged
    {
        // A 256-bit register holds 8 floats or 4 doubles: blocks are 8×8 or 4×4.
        int side = 32 / sizeof(T);
        int rest = width % side, whole = width - rest;
        Debug.Assert(width <= ldd);
        if (!Avx.IsSupported)
            return 0;
        int end = kc - kc % side;
        for (int p = 0; p < end; p += side)
        {
            if (rest != 0)
                TransposeBlock(src + whole * lds + p, lds, rest, dst + p * ldd + whole, ldd);
            for (int r = 0; r < whole; r += side)
                TransposeBlock(src + r * lds + p, lds, side, dst + p * ldd + r, ldd);
        }
        return end;
    }

    /// <summary>One register block: <c>dst[t·ldd + r] = src[r·lds + t]</c> for t &lt; side, r &lt; rows (rows past that are zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock<T>(T* src, nint lds, int rows, T* dst, nint ldd) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            Transpose8x8((float*)src, lds, rows, (float*)dst, ldd);
        else
            Transpose4x4((double*)src, lds, rows, (double*)dst, ldd);
    }

    /// <summary>The classic AVX unpack / shuffle / lane-permute 8×8 transpose of the first <paramref name="rows"/> rows (the others zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, int rows, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = rows > 1 ? Avx.LoadVector256(src + lds) : default;
        Vector256<float> r2 = rows > 2 ? Avx.LoadVector256(src + 2 * lds) : default;
        Vector256<float> r3 = rows > 3 ? Avx.LoadVector256(src + 3 * lds) : default;
        Vector256<float> r4 = rows > 4 ? Avx.LoadVector256(src + 4 * lds) : default;
        Vector256<float> r5 = rows > 5 ? Avx.LoadVector256(src + 5 * lds) : default;
        Vector256<float> r6 = rows > 6 ? Avx.LoadVector256(src + 6 * lds) : default;
        Vector256<float> r7 = rows > 7 ? Avx.LoadVector256(src + 7 * lds) : default;
        // Pairs of rows interleaved, then quads, within each 128-bit lane.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> q0 = Avx.Shuffle(t0, t2, 0x44), q1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> q2 = Avx.Shuffle(t1, t3, 0x44), q3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> q4 = Avx.Shuffle(t4, t6, 0x44), q5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> q6 = Avx.Shuffle(t5, t7, 0x44), q7 = Avx.Shuffle(t5, t7, 0xEE);
        // Low lanes of rows 0-3 with low lanes of rows 4-7 give columns 0-3; high lanes give 4-7.
        Avx.Store(dst, Avx.Permute2x128(q0, q4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(q1, q5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(q2, q6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(q3, q7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(q0, q4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(q1, q5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(q2, q6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(q3, q7, 0x31));
    }

    /// <summary>The 4×4 transpose of the first <paramref name="rows"/> rows (the others zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(double* src, nint lds, int rows, double* dst, nint ldd)
    {
        Vector256<double> r0 = Avx.LoadVector256(src);
        Vector256<double> r1 = rows > 1 ? Avx.LoadVector256(src + lds) : default;
        Vector256<double> r2 = rows > 2 ? Avx.LoadVector256(src + 2 * lds) : default;
        Vector256<double> r3 = rows > 3 ? Avx.LoadVector256(src + 3 * lds) : default;
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(dst, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(t1, t3, 0x31));
    }
}
