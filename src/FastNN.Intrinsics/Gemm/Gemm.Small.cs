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
            || (op.N <= Vector512<T>.Count && volume <= BlockSizes.NarrowMaxVolume);
    }

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
        // op(A)[i, p] lies at a + i·rowStep + p·depthStep.
        nint rowStep = op.TransposeA ? 1 : op.Lda, depthStep = op.TransposeA ? op.Lda : 1;

        for (int j = 0; j < op.N; j += 2 * w)
        {
            int cols = Math.Min(2 * w, op.N - j);
            Vector512<T> mask0 = FirstLanes<T>(cols), mask1 = FirstLanes<T>(cols - w);
            int i = 0;
            if (cols > w)
            {
                for (; i + 8 <= op.M; i += 8)
                    SmallTile<T, Rows8, TwoVectors>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
                for (; i + 4 <= op.M; i += 4)
                    SmallTile<T, Rows4, TwoVectors>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
                for (; i < op.M; i++)
                    SmallTile<T, Rows1, TwoVectors>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
            }
            else
            {
                for (; i + 8 <= op.M; i += 8)
                    SmallTile<T, Rows8, OneVector>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
                for (; i + 4 <= op.M; i += 4)
                    SmallTile<T, Rows4, OneVector>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
                for (; i < op.M; i++)
                    SmallTile<T, Rows1, OneVector>(op, b, ldb, rowStep, depthStep, i, j, mask0, mask1);
            }
        }
    }

    /// <summary>
    /// One TShape.Rows × (one or two vectors) tile of C at (i, j): the same register blocking as
    /// <see cref="MicroKernel512{T}"/>, with the row count and width as JIT constants so unused accumulators vanish.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile<T, TRows, TWidth>(in GemmOperands<T> op, T* b, nint ldb, nint rowStep, nint depthStep,
        int i, int j, Vector512<T> mask0, Vector512<T> mask1)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConstant where TWidth : struct, IConstant
    {
        int rows = TRows.Value, w = Vector512<T>.Count;
        bool two = TWidth.Value == 2;
        T* a = op.TransposeA ? op.A + i : op.A + i * op.Lda;
        b += j;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < op.K; p++, a += depthStep, b += ldb)
        {
            Vector512<T> b0 = LoadMasked(b, mask0);
            Vector512<T> b1 = two ? LoadMasked(b + w, mask1) : default;
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = MultiplyAdd.Estimate(ai, b0, c00);
            if (two) c01 = MultiplyAdd.Estimate(ai, b1, c01);
            if (rows == 1)
                continue;
            ai = Vector512.Create(a[rowStep]);
            c10 = MultiplyAdd.Estimate(ai, b0, c10);
            if (two) c11 = MultiplyAdd.Estimate(ai, b1, c11);
            ai = Vector512.Create(a[2 * rowStep]);
            c20 = MultiplyAdd.Estimate(ai, b0, c20);
            if (two) c21 = MultiplyAdd.Estimate(ai, b1, c21);
            ai = Vector512.Create(a[3 * rowStep]);
            c30 = MultiplyAdd.Estimate(ai, b0, c30);
            if (two) c31 = MultiplyAdd.Estimate(ai, b1, c31);
            if (rows == 4)
                continue;
            ai = Vector512.Create(a[4 * rowStep]);
            c40 = MultiplyAdd.Estimate(ai, b0, c40);
            if (two) c41 = MultiplyAdd.Estimate(ai, b1, c41);
            ai = Vector512.Create(a[5 * rowStep]);
            c50 = MultiplyAdd.Estimate(ai, b0, c50);
            if (two) c51 = MultiplyAdd.Estimate(ai, b1, c51);
            ai = Vector512.Create(a[6 * rowStep]);
            c60 = MultiplyAdd.Estimate(ai, b0, c60);
            if (two) c61 = MultiplyAdd.Estimate(ai, b1, c61);
            ai = Vector512.Create(a[7 * rowStep]);
            c70 = MultiplyAdd.Estimate(ai, b0, c70);
            if (two) c71 = MultiplyAdd.Estimate(ai, b1, c71);
        }
        T* c = op.AtC(i, j);
        nint ldc = op.Ldc;
        UpdateMasked<T, TWidth>(c, c00, c01, mask0, mask1, op.Alpha, op.Beta);
        if (rows == 1)
            return;
        UpdateMasked<T, TWidth>(c + ldc, c10, c11, mask0, mask1, op.Alpha, op.Beta);
        UpdateMasked<T, TWidth>(c + 2 * ldc, c20, c21, mask0, mask1, op.Alpha, op.Beta);
        UpdateMasked<T, TWidth>(c + 3 * ldc, c30, c31, mask0, mask1, op.Alpha, op.Beta);
        if (rows == 4)
            return;
        UpdateMasked<T, TWidth>(c + 4 * ldc, c40, c41, mask0, mask1, op.Alpha, op.Beta);
        UpdateMasked<T, TWidth>(c + 5 * ldc, c50, c51, mask0, mask1, op.Alpha, op.Beta);
        UpdateMasked<T, TWidth>(c + 6 * ldc, c60, c61, mask0, mask1, op.Alpha, op.Beta);
        UpdateMasked<T, TWidth>(c + 7 * ldc, c70, c71, mask0, mask1, op.Alpha, op.Beta);
    }

    /// <summary>One tile row under masks: c := beta·c + alpha·(x0, x1), lanes outside the masks neither read nor written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateMasked<T, TWidth>(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> mask0, Vector512<T> mask1, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : struct, IConstant
    {
        bool two = TWidth.Value == 2;
        T* c1 = c + Vector512<T>.Count;
        Vector512<T> va = Vector512.Create(alpha);
        x0 *= va;
        if (two) x1 *= va;
        if (beta != T.Zero)
        {
            Vector512<T> vb = Vector512.Create(beta);
            x0 = MultiplyAdd.Estimate(vb, LoadMasked(c, mask0), x0);
            if (two) x1 = MultiplyAdd.Estimate(vb, LoadMasked(c1, mask1), x1);
        }
        StoreMasked(c, mask0, x0);
        if (two) StoreMasked(c1, mask1, x1);
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
