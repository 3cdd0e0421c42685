using System.Numerics;

namespace FastNN.Tests.Gemm;

/// <summary>The test oracle: C = alpha·op(A)·op(B) + beta·C by the definition, a triple loop in double.</summary>
internal static class ReferenceGemm
{
    /// <summary>
    /// Returns the exact-as-double result for the m×n logical C (row-major, stride n) and, per element, the
    /// magnitude |alpha|·Σ|a||b| + |beta·c| that bounds the rounding error of any summation order.
    /// </summary>
    public static (double[] Result, double[] Magnitude) Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k,
        T alpha, T[] a, int lda, T[] b, int ldb, T beta, T[] c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new double[m * n];
        var magnitude = new double[m * n];
        double al = double.CreateChecked(alpha), be = double.CreateChecked(beta);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(transposeA ? a[p * lda + i] : a[i * lda + p]);
                    double y = double.CreateChecked(transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }
                double old = be == 0 ? 0 : be * double.CreateChecked(c[i * ldc + j]);
                result[i * n + j] = al * sum + old;
                magnitude[i * n + j] = Math.Abs(al) * abs + Math.Abs(old);
            }
        }
        return (result, magnitude);
    }
}
