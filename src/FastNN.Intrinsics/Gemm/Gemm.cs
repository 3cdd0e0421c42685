using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>General matrix multiply on row-major spans, BLAS-style.</summary>
/// <remarks>Thread-safe: every member may be called from any number of threads at once.</remarks>
public static unsafe partial class Gemm
{
    /// <summary>The instruction-set path the GEMM micro-kernels run on in this process.</summary>
    public static IsaPath SelectedPath => Isa.Path;

    /// <summary>Computes <c>C = alpha * op(A) * op(B) + beta * C</c> on row-major matrices.</summary>
    /// <remarks>
    /// <para>Large calls run BLIS-style, with A and B packed into panels sized for the caches this process finds
    /// (an analytical model of the cache hierarchy, see the README), except where the micro-kernel for
    /// <see cref="SelectedPath"/> reads an operand where it lies: a row-major A (but for AVX-512 double and the scalar
    /// path), on AVX-512 float a shallow Aᵀ too, on the 256-bit and 128-bit paths a shallow B under a short C (float).
    /// On AVX-512 float, A·Bᵀ with B clearly the larger operand is computed as Cᵀ = B·Aᵀ, B then read in place, and
    /// merged into C's layout tile by tile.
    /// They are split across up to <see cref="Parallelism.MaxThreads"/> threads by rows or columns of C, never by k, so
    /// results are bit-identical whatever the thread count. Small calls stay on the calling thread and skip packing.</para>
    /// <para>Thread-safe: any number of threads may call at once (they share the worker threads, see
    /// <see cref="Parallelism"/>). Working memory: each thread running part of a call uses one workspace of at most
    /// <see cref="MaxWorkspaceBytes{T}"/> bytes (packed blocks of A and B), rented for the call from a pool that keeps
    /// at most two per processor for the next call; kept workspaces are freed after two full garbage collections
    /// without use, or at once by <see cref="ReleaseMemory"/>. Nothing is tied to a thread, and no call allocates
    /// once the pool holds workspaces as large as it needs, with up to one more concurrent caller than processors.</para>
    /// <para>Results may differ across instruction-set paths in the last bits (summation order and fused multiply-add).</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="transposeA">Whether op(A) = Aᵀ: A is then stored k×m.</param>
    /// <param name="transposeB">Whether op(B) = Bᵀ: B is then stored n×k.</param>
    /// <param name="m">Rows of op(A) and of C.</param>
    /// <param name="n">Columns of op(B) and of C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product. When zero, A and B are not read.</param>
    /// <param name="a">A, row-major, with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A: at least max(1, k) (max(1, m) when transposed), as BLAS.</param>
    /// <param name="b">B, row-major, with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B: at least max(1, n) (max(1, k) when transposed).</param>
    /// <param name="beta">Scale of the old C. When zero, C is overwritten and its old values (NaN included) are never read.</param>
    /// <param name="c">C (m×n), row-major, with row stride <paramref name="ldc"/>; only its m×n elements are written.</param>
    /// <param name="ldc">Row stride of C: at least max(1, n).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or a leading dimension is smaller than its row.</exception>
    /// <exception cref="ArgumentException">A span is shorter than the matrix it must hold, or C overlaps A or B.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0)
            return;
        fixed (T* pa = a, pb = b, pc = c)
        {
            var op = new GemmOperands<T>(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (k == 0 || alpha == T.Zero)
            {
                ScaleC(op);
                return;
            }
            switch (Isa.Path)
            {
                case IsaPath.Vector512:
                    Run<T, MicroKernel512<T>>(op);
                    break;
                case IsaPath.Vector256:
                    Run<T, MicroKernel6x2<T, Vector256<T>, Width256<T>>>(op);
                    break;
                case IsaPath.Vector128:
                    Run<T, MicroKernel6x2<T, Vector128<T>, Width128<T>>>(op);
                    break;
                default:
                    Run<T, MicroKernelScalar<T>>(op);
                    break;
            }
        }
    }

    /// <summary>The most working memory one thread uses for one call on <see cref="SelectedPath"/>: packed blocks of A and B.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static long MaxWorkspaceBytes<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmArguments.ElementType<T>();
        return BlockSizes.For<T>(Isa.Path).WorkspaceBytes(sizeof(T));
    }

    /// <summary>
    /// Frees the workspaces kept between calls (see <see cref="Multiply{T}"/>); the next call allocates what it needs
    /// again. For an application that is done multiplying for a while and wants the memory back now.
    /// </summary>
    public static void ReleaseMemory() => WorkspacePool.Trim(int.MaxValue);

    /// <summary>C := beta·C, the whole call when the product vanishes (k = 0 or alpha = 0); C is not read when beta is zero.</summary>
    private static void ScaleC<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < op.M; i++)
        {
            var row = new Span<T>(op.AtC(i, 0), op.N);
            if (op.Beta == T.Zero)
                row.Clear();
            else if (op.Beta != T.One)
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, op.Beta, row);
        }
    }
}
