using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// The small path for a narrow C = alpha·A·Bᵀ + beta·C (A m×k, B n×k, both row-major, as in a Dense layer's forward
    /// pass with few outputs): every C element is a dot product of two contiguous rows, so lanes run along k and
    /// nothing is packed or wasted on padding columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallDot<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        for (; j + 5 <= op.N; j += 5)
            DotRows<T, Cols5>(op, j);
        switch (op.N - j)
        {
            case 4:
                DotRows<T, Cols4>(op, j);
                break;
            case 3:
                DotRows<T, Cols3>(op, j);
                break;
            case 2:
                DotRows<T, Cols2>(op, j);
                break;
            case 1:
                DotRows<T, Cols1>(op, j);
                break;
        }
    }

    private static void DotRows<T, TCols>(in GemmOperands<T> op, int j)
        where T : unmanaged, IFloatingPointIeee754<T> where TCols : struct, IConstant
    {
        int i = 0;
        for (; i + 4 <= op.M; i += 4)
            DotTile<T, Rows4, TCols>(op, i, j);
        for (; i < op.M; i++)
            DotTile<T, Rows1, TCols>(op, i, j);
    }

    /// <summary>
    /// A TRows × TCols tile of C at (i, j), one vector accumulator per element, summed across lanes at the end;
    /// the k remainder is a masked step, so no element past a row is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile<T, TRows, TCols>(in GemmOperands<T> op, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant where TCols : struct, IConstant
    {
        int rows = TRows.Value, cols = TCols.Value, w = Vector512<T>.Count, k = op.K;
        nint lda = op.Lda, ldb = op.Ldb;
        T* a0 = op.A + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        T* b0 = op.B + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb;
        // Before the loop: a call here after it would make the JIT spill the sums around it.
        T* c = op.AtC(i, j);
        nint ldc = op.Ldc;
        DotSums<T> s = default;
        int p = 0;
        for (; p + w <= k; p += w)
            DotStep<T, TRows, TCols, Unmasked>(a0 + p, a1 + p, a2 + p, a3 + p, b0 + p, b1 + p, b2 + p, b3 + p, b4 + p, default, ref s);
        if (p < k)
            DotStep<T, TRows, TCols, Masked>(a0 + p, a1 + p, a2 + p, a3 + p, b0 + p, b1 + p, b2 + p, b3 + p, b4 + p, Masked512.FirstLanes<T>(k - p), ref s);
        if (typeof(T) == typeof(float))
        {
            StoreDotTile<T, TRows, TCols>((float*)c, ldc, ref s, float.CreateTruncating(op.Alpha), float.CreateTruncating(op.Beta));
            return;
        }
        if (rows == 1)
        {
            // The same reduction as four rows, so a row's result does not depend on the tile it falls in; row 0
            // stands in for the absent rows (see StoreDotTile for why not their untouched accumulators).
            StoreDotColumn(c, ldc, s.S00, s.S00, s.S00, s.S00, op.Alpha, op.Beta, 1);
            if (cols > 1)
                StoreDotColumn(c + 1, ldc, s.S01, s.S01, s.S01, s.S01, op.Alpha, op.Beta, 1);
            if (cols > 2)
                StoreDotColumn(c + 2, ldc, s.S02, s.S02, s.S02, s.S02, op.Alpha, op.Beta, 1);
            if (cols > 3)
                StoreDotColumn(c + 3, ldc, s.S03, s.S03, s.S03, s.S03, op.Alpha, op.Beta, 1);
            if (cols > 4)
                StoreDotColumn(c + 4, ldc, s.S04, s.S04, s.S04, s.S04, op.Alpha, op.Beta, 1);
            return;
        }
        StoreDotColumn(c, ldc, s.S00, s.S10, s.S20, s.S30, op.Alpha, op.Beta, 4);
        if (cols > 1)
            StoreDotColumn(c + 1, ldc, s.S01, s.S11, s.S21, s.S31, op.Alpha, op.Beta, 4);
        if (cols > 2)
            StoreDotColumn(c + 2, ldc, s.S02, s.S12, s.S22, s.S32, op.Alpha, op.Beta, 4);
        if (cols > 3)
            StoreDotColumn(c + 3, ldc, s.S03, s.S13, s.S23, s.S33, op.Alpha, op.Beta, 4);
        if (cols > 4)
            StoreDotColumn(c + 4, ldc, s.S04, s.S14, s.S24, s.S34, op.Alpha, op.Beta, 4);
    }

    /// <summary>
    /// Stores a float dot-product tile: every sum reduced by one shuffle tree for the whole tile, where sums missing
    /// from a smaller tile are stand-ins (copies of row 0 or column 0) that are reduced but never stored. Each lane
    /// sum takes the same order, ((e0 + e2) + (e1 + e3)) of e_i = ((L0 + L2) + (L1 + L3))_i over the four 128-bit
    /// lanes L, whatever its place in the tile, so a row's result does not depend on the tile it falls in. About 65
    /// instructions for 20 sums against 150 for column-by-column horizontal adds, which took a quarter of (64, 10, 256).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotTile<T, TRows, TCols>(float* c, nint ldc, ref DotSums<T> s, float alpha, float beta)
        where T : unmanaged where TRows : struct, IConstant where TCols : struct, IConstant
    {
        int rows = TRows.Value, cols = TCols.Value;
        bool four = rows > 1;
        // Column j's four row sums, one per 128-bit lane (row r in lane r); absent rows repeat row 0. Stand-ins, not
        // the accumulators a smaller tile never writes: reading those made one-row and three-column tiles 5x slower
        // (the JIT then stops keeping the tile's sums in registers).
        Vector512<float> s0 = ColumnLanes(s.S00.AsSingle(), four ? s.S10.AsSingle() : s.S00.AsSingle(), four ? s.S20.AsSingle() : s.S00.AsSingle(), four ? s.S30.AsSingle() : s.S00.AsSingle());
        Vector512<float> s1 = cols > 1 ? ColumnLanes(s.S01.AsSingle(), four ? s.S11.AsSingle() : s.S01.AsSingle(), four ? s.S21.AsSingle() : s.S01.AsSingle(), four ? s.S31.AsSingle() : s.S01.AsSingle()) : s0;
        Vector512<float> s2 = cols > 2 ? ColumnLanes(s.S02.AsSingle(), four ? s.S12.AsSingle() : s.S02.AsSingle(), four ? s.S22.AsSingle() : s.S02.AsSingle(), four ? s.S32.AsSingle() : s.S02.AsSingle()) : s0;
        Vector512<float> s3 = cols > 3 ? ColumnLanes(s.S03.AsSingle(), four ? s.S13.AsSingle() : s.S03.AsSingle(), four ? s.S23.AsSingle() : s.S03.AsSingle(), four ? s.S33.AsSingle() : s.S03.AsSingle()) : s0;
        // Lane r of sums holds row r's columns 0..3; lane r of sums4 holds its column 4 in every element.
        Vector512<float> sums = LaneSums(s0, s1, s2, s3) * Vector512.Create(alpha);
        Vector512<float> sums4 = default;
        if (cols > 4)
        {
            Vector512<float> s4 = ColumnLanes(s.S04.AsSingle(), four ? s.S14.AsSingle() : s.S04.AsSingle(), four ? s.S24.AsSingle() : s.S04.AsSingle(), four ? s.S34.AsSingle() : s.S04.AsSingle());
            sums4 = LaneSums(s4, s4, s4, s4) * Vector512.Create(alpha);
        }
        StoreDotRow<TCols>(c, Avx512F.ExtractVector128(sums, 0), sums4.ToScalar(), beta);
        if (rows == 1)
            return;
        StoreDotRow<TCols>(c + ldc, Avx512F.ExtractVector128(sums, 1), Avx512F.ExtractVector128(sums4, 1).ToScalar(), beta);
        StoreDotRow<TCols>(c + 2 * ldc, Avx512F.ExtractVector128(sums, 2), Avx512F.ExtractVector128(sums4, 2).ToScalar(), beta);
        StoreDotRow<TCols>(c + 3 * ldc, Avx512F.ExtractVector128(sums, 3), Avx512F.ExtractVector128(sums4, 3).ToScalar(), beta);
    }

    /// <summary>Four sums of 16 lanes folded to four partial sums each, vector r's in 128-bit lane r: ((L0 + L2) + (L1 + L3)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnLanes(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3)
    {
        // [r0.L0 + r0.L2, r0.L1 + r0.L3, r1.L0 + r1.L2, r1.L1 + r1.L3], and the same for r2, r3.
        Vector512<float> u = Avx512F.Shuffle4x128(r0, r1, 0x44) + Avx512F.Shuffle4x128(r0, r1, 0xEE);
        Vector512<float> w = Avx512F.Shuffle4x128(r2, r3, 0x44) + Avx512F.Shuffle4x128(r2, r3, 0xEE);
        return Avx512F.Shuffle4x128(u, w, 0x88) + Avx512F.Shuffle4x128(u, w, 0xDD);
    }

    /// <summary>Within each 128-bit lane, element j := the sum of that lane's four elements of v_j: (e0 + e2) + (e1 + e3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LaneSums(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        // [v0.e0 + v0.e2, v1.e0 + v1.e2, v0.e1 + v0.e3, v1.e1 + v1.e3] per lane, likewise for v2, v3.
        Vector512<float> a = Avx512F.UnpackLow(v0, v1) + Avx512F.UnpackHigh(v0, v1);
        Vector512<float> b = Avx512F.UnpackLow(v2, v3) + Avx512F.UnpackHigh(v2, v3);
        return Avx512F.Shuffle(a, b, 0x44) + Avx512F.Shuffle(a, b, 0xEE);
    }

    /// <summary>One tile row of up to five columns, already scaled by alpha: c[j] := beta·c[j] + x_j, c read only when beta ≠ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotRow<TCols>(float* c, Vector128<float> x, float x4, float beta) where TCols : struct, IConstant
    {
        int cols = TCols.Value;
        if (cols >= 4)
        {
            if (beta != 0f)
                x = Vector128.Create(beta) * Vector128.Load(c) + x;
            x.Store(c);
            if (cols > 4)
                c[4] = beta == 0f ? x4 : beta * c[4] + x4;
            return;
        }
        for (int j = 0; j < cols; j++)
            c[j] = beta == 0f ? x.GetElement(j) : beta * c[j] + x.GetElement(j);
    }

    /// <summary>
    /// One vector step along k of a dot-product tile: rows a0..a3 of A against rows b0..b4 of B (as many as TRows and
    /// TCols say), whole vectors or, with <see cref="Masked"/>, only the lanes of <paramref name="mask"/>. Inlined, so
    /// the sums stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotStep<T, TRows, TCols, TMask>(T* a0, T* a1, T* a2, T* a3, T* b0, T* b1, T* b2, T* b3, T* b4,
        Vector512<T> mask, ref DotSums<T> s)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant where TCols : struct, IConstant
        where TMask : struct, IConstant
    {
        bool four = TRows.Value > 1;
        int cols = TCols.Value;
        Vector512<T> x0 = Masked512.Load<T, TMask>(a0, mask);
        Vector512<T> x1 = four ? Masked512.Load<T, TMask>(a1, mask) : default;
        Vector512<T> x2 = four ? Masked512.Load<T, TMask>(a2, mask) : default;
        Vector512<T> x3 = four ? Masked512.Load<T, TMask>(a3, mask) : default;
        Vector512<T> y = Masked512.Load<T, TMask>(b0, mask);
        s.S00 = VectorMath.MultiplyAdd(x0, y, s.S00);
        if (four)
        {
            s.S10 = VectorMath.MultiplyAdd(x1, y, s.S10);
            s.S20 = VectorMath.MultiplyAdd(x2, y, s.S20);
            s.S30 = VectorMath.MultiplyAdd(x3, y, s.S30);
        }
        if (cols > 1)
        {
            y = Masked512.Load<T, TMask>(b1, mask);
            s.S01 = VectorMath.MultiplyAdd(x0, y, s.S01);
            if (four)
            {
                s.S11 = VectorMath.MultiplyAdd(x1, y, s.S11);
                s.S21 = VectorMath.MultiplyAdd(x2, y, s.S21);
                s.S31 = VectorMath.MultiplyAdd(x3, y, s.S31);
            }
        }
        if (cols > 2)
        {
            y = Masked512.Load<T, TMask>(b2, mask);
            s.S02 = VectorMath.MultiplyAdd(x0, y, s.S02);
            if (four)
            {
                s.S12 = VectorMath.MultiplyAdd(x1, y, s.S12);
                s.S22 = VectorMath.MultiplyAdd(x2, y, s.S22);
                s.S32 = VectorMath.MultiplyAdd(x3, y, s.S32);
            }
        }
        if (cols > 3)
        {
            y = Masked512.Load<T, TMask>(b3, mask);
            s.S03 = VectorMath.MultiplyAdd(x0, y, s.S03);
            if (four)
            {
                s.S13 = VectorMath.MultiplyAdd(x1, y, s.S13);
                s.S23 = VectorMath.MultiplyAdd(x2, y, s.S23);
                s.S33 = VectorMath.MultiplyAdd(x3, y, s.S33);
            }
        }
        if (cols > 4)
        {
            y = Masked512.Load<T, TMask>(b4, mask);
            s.S04 = VectorMath.MultiplyAdd(x0, y, s.S04);
            if (four)
            {
                s.S14 = VectorMath.MultiplyAdd(x1, y, s.S14);
                s.S24 = VectorMath.MultiplyAdd(x2, y, s.S24);
                s.S34 = VectorMath.MultiplyAdd(x3, y, s.S34);
            }
        }
    }

    /// <summary>The accumulators of a dot-product tile, S{row}{column}; those outside the tile's shape stay unused.</summary>
    private struct DotSums<T> where T : unmanaged
    {
        public Vector512<T> S00, S01, S02, S03, S04;
        public Vector512<T> S10, S11, S12, S13, S14;
        public Vector512<T> S20, S21, S22, S23, S24;
        public Vector512<T> S30, S31, S32, S33, S34;
    }

    /// <summary>
    /// The first <paramref name="rows"/> (1 or 4) rows of one column of a double tile: <c>c[r·ldc] := beta·c[r·ldc] +
    /// alpha·(sum of the lanes of s_r)</c>. The four lane sums share horizontal adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotColumn<T>(T* c, nint ldc, Vector512<T> s0, Vector512<T> s1, Vector512<T> s2, Vector512<T> s3,
        T alpha, T beta, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(typeof(T) == typeof(double));
        Vector256<double> u = Avx.HorizontalAdd(HalfSum(s0.AsDouble()), HalfSum(s1.AsDouble()));
        Vector256<double> v = Avx.HorizontalAdd(HalfSum(s2.AsDouble()), HalfSum(s3.AsDouble()));
        Vector128<T> sums01 = (u.GetLower() + u.GetUpper()).As<double, T>();
        Vector128<T> sums23 = (v.GetLower() + v.GetUpper()).As<double, T>();
        StoreScaled(c, sums01.GetElement(0), alpha, beta);
        if (rows == 1)
            return;
        StoreScaled(c + ldc, sums01.GetElement(1), alpha, beta);
        StoreScaled(c + 2 * ldc, sums23.GetElement(0), alpha, beta);
        StoreScaled(c + 3 * ldc, sums23.GetElement(1), alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> HalfSum(Vector512<double> x) => x.GetLower() + x.GetUpper();

    /// <summary>c := beta·c + alpha·sum, without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaled<T>(T* c, T sum, T alpha, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T x = alpha * sum;
        *c = beta == T.Zero ? x : beta * *c + x;
    }
}
