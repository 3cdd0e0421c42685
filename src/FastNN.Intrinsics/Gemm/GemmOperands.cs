using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>One validated GEMM call, <c>C = alpha·op(A)·op(B) + beta·C</c>, as raw pointers into the caller's pinned spans.</summary>
internal readonly unsafe struct GemmOperands<T>(bool transposeA, bool transposeB, int m, int n, int k,
    T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly bool TransposeA = transposeA, TransposeB = transposeB;
    public readonly int M = m, N = n, K = k;
    public readonly T Alpha = alpha, Beta = beta;
    public readonly T* A = a, B = b, C = c;
    public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;

    /// <summary>Address of op(A)[i, p].</summary>
    public T* OpA(int i, int p) => TransposeA ? A + p * Lda + i : A + i * Lda + p;

    /// <summary>Address of op(B)[p, j].</summary>
    public T* OpB(int p, int j) => TransposeB ? B + j * Ldb + p : B + p * Ldb + j;

    /// <summary>Address of C[i, j].</summary>
    public T* AtC(int i, int j) => C + i * Ldc + j;
}
