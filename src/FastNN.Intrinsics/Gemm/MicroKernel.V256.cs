using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>AVX2 micro-kernel: a 6 × (2·<see cref="Vector256{T}.Count"/>) tile (6×16 float, 6×8 double), BLIS's Haswell shape: 12 accumulators, two B̃ vectors and a broadcast in 15 of the 16 ymm registers.</summary>
internal readonly unsafe struct MicroKernel256<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int k, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < k; p++)
        {
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + w);
            Vector256<T> ai = Vector256.Create(a[0]);
            c00 = MultiplyAdd.Estimate(ai, b0, c00); c01 = MultiplyAdd.Estimate(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = MultiplyAdd.Estimate(ai, b0, c10); c11 = MultiplyAdd.Estimate(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = MultiplyAdd.Estimate(ai, b0, c20); c21 = MultiplyAdd.Estimate(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = MultiplyAdd.Estimate(ai, b0, c30); c31 = MultiplyAdd.Estimate(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = MultiplyAdd.Estimate(ai, b0, c40); c41 = MultiplyAdd.Estimate(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = MultiplyAdd.Estimate(ai, b0, c50); c51 = MultiplyAdd.Estimate(ai, b1, c51);
            a += 6;
            b += 2 * w;
        }
        Update(c, c00, c01, alpha, beta);
        Update(c + ldc, c10, c11, alpha, beta);
        Update(c + 2 * ldc, c20, c21, alpha, beta);
        Update(c + 3 * ldc, c30, c31, alpha, beta);
        Update(c + 4 * ldc, c40, c41, alpha, beta);
        Update(c + 5 * ldc, c50, c51, alpha, beta);
    }

    /// <summary>One tile row: c := beta·c + alpha·(x0, x1), without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, Vector256<T> x0, Vector256<T> x1, T alpha, T beta)
    {
        T* c1 = c + Vector256<T>.Count;
        Vector256<T> va = Vector256.Create(alpha);
        x0 *= va;
        x1 *= va;
        if (beta != T.Zero)
        {
            Vector256<T> vb = Vector256.Create(beta);
            x0 = MultiplyAdd.Estimate(vb, Vector256.Load(c), x0);
            x1 = MultiplyAdd.Estimate(vb, Vector256.Load(c1), x1);
        }
        x0.Store(c);
        x1.Store(c1);
    }
}
