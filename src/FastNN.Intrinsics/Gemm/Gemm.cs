using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>General matrix multiply on row-major spans, BLAS-style.</summary>
/// <remarks>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes. Concurrent calls share the worker threads (see Parallelism).</remarks>
public static unsafe partial class Gemm
{
    /// <summary>The instruction-set path the GEMM micro-kernels run on in this process.</summary>
    public static IsaPath SelectedPath => Isa.Path;

    /// <summary>Computes <c>C = alpha * op(A) * op(B) + beta * C</c> on row-major matrices.</summary>
    /// <remarks>
    /// <para>Large calls run BLIS-style, with A and B packed into cache-sized panels, except where the micro-kernel for
    /// <see cref="SelectedPath"/> reads an operand where it lies: a row-major A (but for AVX-512 double and the scalar
    /// path), on AVX-512 float a shallow Aᵀ too, on the 256-bit and 128-bit paths a shallow B under a short C (float). They
    /// are split across up to <see cref="Parallelism.MaxThreads"/> threads by rows or columns of C, never by k, so results
    /// are bit-identical whatever the thread count. Small calls stay on the calling thread and, on AVX-512, skip packing.
    /// No call allocates once each thread has run its first.</para>
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
    /// <param name="lda">Row stride of A: at least k (m when transposed).</param>
    /// <param name="b">B, row-major, with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B: at least n (k when transposed).</param>
    /// <param name="beta">Scale of the old C. When zero, C is overwritten and its old values (NaN included) are never read.</param>
    /// <param name="c">C (m×n), row-major, with row stride <paramref name="ldc"/>; only its m×n elements are written.</param>
    /// <param name="ldc">Row stride of C: at least n.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or a leading dimension is smaller than its row.</exception>
    /// <exception cref="ArgumentException">A span is shorter than the matrix it must hold, or C overlaps A or B.</exception>
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
