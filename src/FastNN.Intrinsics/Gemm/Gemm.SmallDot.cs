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
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default, s04 = default;
        Vector512<T> s10 = default, s11 = default, s12 = default, s13 = default, s14 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default, s24 = default;
        Vector512<T> s30 = default, s31 = default, s32 = default, s33 = default, s34 = default;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            Vector512<T> x0 = Vector512.Load(a0 + p);
            Vector512<T> x1 = rows > 1 ? Vector512.Load(a1 + p) : default;
            Vector512<T> x2 = rows > 1 ? Vector512.Load(a2 + p) : default;
            Vector512<T> x3 = rows > 1 ? Vector512.Load(a3 + p) : default;
            {
                Vector512<T> y = Vector512.Load(b0 + p);
                s00 = MultiplyAdd.Estimate(x0, y, s00);
                if (rows > 1)
                {
                    s10 = MultiplyAdd.Estimate(x1, y, s10);
                    s20 = MultiplyAdd.Estimate(x2, y, s20);
                    s30 = MultiplyAdd.Estimate(x3, y, s30);
                }
            }
            if (cols > 1)
            {
                Vector512<T> y = Vector512.Load(b1 + p);
                s01 = MultiplyAdd.Estimate(x0, y, s01);
                if (rows > 1)
                {
                    s11 = MultiplyAdd.Estimate(x1, y, s11);
                    s21 = MultiplyAdd.Estimate(x2, y, s21);
                    s31 = MultiplyAdd.Estimate(x3, y, s31);
                }
            }
            if (cols > 2)
            {
                Vector512<T> y = Vector512.Load(b2 + p);
                s02 = MultiplyAdd.Estimate(x0, y, s02);
                if (rows > 1)
                {
                    s12 = MultiplyAdd.Estimate(x1, y, s12);
                    s22 = MultiplyAdd.Estimate(x2, y, s22);
                    s32 = MultiplyAdd.Estimate(x3, y, s32);
                }
            }
            if (cols > 3)
            {
                Vector512<T> y = Vector512.Load(b3 + p);
                s03 = MultiplyAdd.Estimate(x0, y, s03);
                if (rows > 1)
                {
                    s13 = MultiplyAdd.Estimate(x1, y, s13);
                    s23 = MultiplyAdd.Estimate(x2, y, s23);
                    s33 = MultiplyAdd.Estimate(x3, y, s33);
                }
            }
            if (cols > 4)
            {
                Vector512<T> y = Vector512.Load(b4 + p);
                s04 = MultiplyAdd.Estimate(x0, y, s04);
                if (rows > 1)
                {
                    s14 = MultiplyAdd.Estimate(x1, y, s14);
                    s24 = MultiplyAdd.Estimate(x2, y, s24);
                    s34 = MultiplyAdd.Estimate(x3, y, s34);
                }
            }
        }
        if (p < k)
        {
            Vector512<T> mask = FirstLanes<T>(k - p);
            Vector512<T> x0 = LoadMasked(a0 + p, mask);
            Vector512<T> x1 = rows > 1 ? LoadMasked(a1 + p, mask) : default;
            Vector512<T> x2 = rows > 1 ? LoadMasked(a2 + p, mask) : default;
            Vector512<T> x3 = rows > 1 ? LoadMasked(a3 + p, mask) : default;
            {
                Vector512<T> y = LoadMasked(b0 + p, mask);
                s00 = MultiplyAdd.Estimate(x0, y, s00);
                if (rows > 1)
                {
                    s10 = MultiplyAdd.Estimate(x1, y, s10);
                    s20 = MultiplyAdd.Estimate(x2, y, s20);
                    s30 = MultiplyAdd.Estimate(x3, y, s30);
                }
            }
            if (cols > 1)
            {
                Vector512<T> y = LoadMasked(b1 + p, mask);
                s01 = MultiplyAdd.Estimate(x0, y, s01);
                if (rows > 1)
                {
                    s11 = MultiplyAdd.Estimate(x1, y, s11);
                    s21 = MultiplyAdd.Estimate(x2, y, s21);
                    s31 = MultiplyAdd.Estimate(x3, y, s31);
                }
            }
            if (cols > 2)
            {
                Vector512<T> y = LoadMasked(b2 + p, mask);
                s02 = MultiplyAdd.Estimate(x0, y, s02);
                if (rows > 1)
                {
                    s12 = MultiplyAdd.Estimate(x1, y, s12);
                    s22 = MultiplyAdd.Estimate(x2, y, s22);
                    s32 = MultiplyAdd.Estimate(x3, y, s32);
                }
            }
            if (cols > 3)
            {
                Vector512<T> y = LoadMasked(b3 + p, mask);
                s03 = MultiplyAdd.Estimate(x0, y, s03);
                if (rows > 1)
                {
                    s13 = MultiplyAdd.Estimate(x1, y, s13);
                    s23 = MultiplyAdd.Estimate(x2, y, s23);
                    s33 = MultiplyAdd.Estimate(x3, y, s33);
                }
            }
            if (cols > 4)
            {
                Vector512<T> y = LoadMasked(b4 + p, mask);
                s04 = MultiplyAdd.Estimate(x0, y, s04);
                if (rows > 1)
                {
                    s14 = MultiplyAdd.Estimate(x1, y, s14);
                    s24 = MultiplyAdd.Estimate(x2, y, s24);
                    s34 = MultiplyAdd.Estimate(x3, y, s34);
                }
            }
        }
        T* c = op.AtC(i, j);
        nint ldc = op.Ldc;
        if (rows == 1)
        {
            StoreDot(c, s00, op.Alpha, op.Beta);
            if (cols > 1)
                StoreDot(c + 1, s01, op.Alpha, op.Beta);
            if (cols > 2)
                StoreDot(c + 2, s02, op.Alpha, op.Beta);
            if (cols > 3)
                StoreDot(c + 3, s03, op.Alpha, op.Beta);
            if (cols > 4)
                StoreDot(c + 4, s04, op.Alpha, op.Beta);
            return;
        }
        StoreDotColumn(c, ldc, s00, s10, s20, s30, op.Alpha, op.Beta);
        if (cols > 1)
            StoreDotColumn(c + 1, ldc, s01, s11, s21, s31, op.Alpha, op.Beta);
        if (cols > 2)
            StoreDotColumn(c + 2, ldc, s02, s12, s22, s32, op.Alpha, op.Beta);
        if (cols > 3)
            StoreDotColumn(c + 3, ldc, s03, s13, s23, s33, op.Alpha, op.Beta);
        if (cols > 4)
            StoreDotColumn(c + 4, ldc, s04, s14, s24, s34, op.Alpha, op.Beta);
    }

    /// <summary>
    /// Four rows of one column: <c>c[r·ldc] := beta·c[r·ldc] + alpha·(sum of the lanes of s_r)</c>. The four lane sums
    /// share horizontal adds (about 13 instructions instead of 4 × 8 for separate sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotColumn<T>(T* c, nint ldc, Vector512<T> s0, Vector512<T> s1, Vector512<T> s2, Vector512<T> s3, T alpha, T beta)
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

    /// <summary>c := beta·c + alpha·(sum of the lanes of s), without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDot<T>(T* c, Vector512<T> s, T alpha, T beta) where T : unmanaged, IFloatingPointIeee754<T> =>
        StoreScaled(c, Vector512.Sum(s), alpha, beta);
}
