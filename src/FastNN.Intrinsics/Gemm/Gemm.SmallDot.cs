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
        if (rows == 1)
        {
            // The same reduction as four rows, so a row's result does not depend on the tile it falls in.
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
        Vector512<T> x0 = Load<T, TMask>(a0, mask);
        Vector512<T> x1 = four ? Load<T, TMask>(a1, mask) : default;
        Vector512<T> x2 = four ? Load<T, TMask>(a2, mask) : default;
        Vector512<T> x3 = four ? Load<T, TMask>(a3, mask) : default;
        Vector512<T> y = Load<T, TMask>(b0, mask);
        s.S00 = VectorMath.MultiplyAdd(x0, y, s.S00);
        if (four)
        {
            s.S10 = VectorMath.MultiplyAdd(x1, y, s.S10);
            s.S20 = VectorMath.MultiplyAdd(x2, y, s.S20);
            s.S30 = VectorMath.MultiplyAdd(x3, y, s.S30);
        }
        if (cols > 1)
        {
            y = Load<T, TMask>(b1, mask);
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
            y = Load<T, TMask>(b2, mask);
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
            y = Load<T, TMask>(b3, mask);
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
            y = Load<T, TMask>(b4, mask);
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
    /// The first <paramref name="rows"/> (1 or 4) rows of one column: <c>c[r·ldc] := beta·c[r·ldc] + alpha·(sum of the
    /// lanes of s_r)</c>. The four lane sums share horizontal adds (about 13 instructions instead of 4 × 8 for separate sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotColumn<T>(T* c, nint ldc, Vector512<T> s0, Vector512<T> s1, Vector512<T> s2, Vector512<T> s3,
        T alpha, T beta, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector128<T> sums01, sums23;
        if (typeof(T) == typeof(float))
        {
            // Halve each to 8 lanes, then hadd pairs twice: [Σ0, Σ1, Σ2, Σ3] in each 128-bit lane's parts.
            Vector256<float> h0 = HalfSum(s0.AsSingle()), h1 = HalfSum(s1.AsSingle());
            Vector256<float> h2 = HalfSum(s2.AsSingle()), h3 = HalfSum(s3.AsSingle());
            Vector256<float> w = Avx.HorizontalAdd(Avx.HorizontalAdd(h0, h1), Avx.HorizontalAdd(h2, h3));
            Vector128<float> sums = w.GetLower() + w.GetUpper();
            sums01 = sums.As<float, T>();
            sums23 = Vector128.Shuffle(sums, Vector128.Create(2, 3, 0, 1)).As<float, T>();
        }
        else
        {
            Vector256<double> u = Avx.HorizontalAdd(HalfSum(s0.AsDouble()), HalfSum(s1.AsDouble()));
            Vector256<double> v = Avx.HorizontalAdd(HalfSum(s2.AsDouble()), HalfSum(s3.AsDouble()));
            sums01 = (u.GetLower() + u.GetUpper()).As<double, T>();
            sums23 = (v.GetLower() + v.GetUpper()).As<double, T>();
        }
        StoreScaled(c, sums01.GetElement(0), alpha, beta);
        if (rows == 1)
            return;
        StoreScaled(c + ldc, sums01.GetElement(1), alpha, beta);
        StoreScaled(c + 2 * ldc, sums23.GetElement(0), alpha, beta);
        StoreScaled(c + 3 * ldc, sums23.GetElement(1), alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HalfSum(Vector512<float> x) => x.GetLower() + x.GetUpper();

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
