using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>The plain triple loop: the algorithmic reference the blocked GEMM is measured against.</summary>
internal static class GemmReference
{
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                if (alpha != T.Zero)
                {
                    for (int p = 0; p < k; p++)
                    {
                        T aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                        T bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                        sum += aip * bpj;
                    }
                }
                ref T cij = ref c[i * ldc + j];
                cij = beta == T.Zero ? alpha * sum : alpha * sum + beta * cij;
            }
        }
    }
}
