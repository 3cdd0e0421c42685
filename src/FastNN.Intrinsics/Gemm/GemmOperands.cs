using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>One validated GEMM call, <c>C = alpha·op(A)·op(B) + beta·C</c>, as raw pointers into the caller's pinned spans (or, for parts of a call, into a packed copy).</summary>
/// <remarks>With <see cref="TransposeC"/> the call computes the same product as Cᵀ = op(B)ᵀ·op(A)ᵀ: M and N, A and B
/// trade places and the logical m×n matrix is stored column-major in the caller's C.</remarks>
internal readonly unsafe struct GemmOperands<T>(bool transposeA, bool transposeB, int m, int n, int k,
    T alpha, T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc, bool transposeC = false) where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly bool TransposeA = transposeA, TransposeB = transposeB;
    public readonly int M = m, N = n, K = k;
    public readonly T Alpha = alpha, Beta = beta;
    public readonly T* A = a, B = b, C = c;
    public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;
    public readonly bool TransposeC = transposeC;

    /// <summary>The same call as Cᵀ = op(B)ᵀ·op(A)ᵀ.</summary>
    public GemmOperands<T> Transposed() =>
        new(!TransposeB, !TransposeA, N, M, K, Alpha, B, Ldb, A, Lda, Beta, C, Ldc, !TransposeC);

    /// <summary>Distance in C between rows of the logical matrix.</summary>
    public nint RowStrideC => TransposeC ? 1 : Ldc;

    /// <summary>Distance in C between columns of the logical matrix.</summary>
    public nint ColumnStrideC => TransposeC ? Ldc : 1;

    /// <summary>Address of op(A)[i, p].</summary>
    public T* OpA(int i, int p) => TransposeA ? A + p * Lda + i : A + i * Lda + p;

    /// <summary>Address of op(B)[p, j].</summary>
    public T* OpB(int p, int j) => TransposeB ? B + j * Ldb + p : B + p * Ldb + j;

    /// <summary>Address of element (i, j) of the logical C.</summary>
    public T* AtC(int i, int j) => C + i * RowStrideC + j * ColumnStrideC;
}
