using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>AVX-512 micro-kernel: an 8 × (2·<see cref="Vector512{T}.Count"/>) tile (8×32 float, 8×16 double) in 16 of the 32 zmm registers.</summary>
internal readonly unsafe struct MicroKernel512<T> : IMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 8;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int k, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        int w = Vector512<T>.Count;
        // C is touched only at the end: start fetching its 8 rows (two cache lines each) now, behind the k loop.
        for (int i = 0; i < 8; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + w);
        }
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < k; p++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + w);
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = MultiplyAdd.Estimate(ai, b0, c00); c01 = MultiplyAdd.Estimate(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = MultiplyAdd.Estimate(ai, b0, c10); c11 = MultiplyAdd.Estimate(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = MultiplyAdd.Estimate(ai, b0, c20); c21 = MultiplyAdd.Estimate(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = MultiplyAdd.Estimate(ai, b0, c30); c31 = MultiplyAdd.Estimate(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = MultiplyAdd.Estimate(ai, b0, c40); c41 = MultiplyAdd.Estimate(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = MultiplyAdd.Estimate(ai, b0, c50); c51 = MultiplyAdd.Estimate(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = MultiplyAdd.Estimate(ai, b0, c60); c61 = MultiplyAdd.Estimate(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = MultiplyAdd.Estimate(ai, b0, c70); c71 = MultiplyAdd.Estimate(ai, b1, c71);
            a += 8;
            b += 2 * w;
        }
        Update(c, c00, c01, alpha, beta);
        Update(c + ldc, c10, c11, alpha, beta);
        Update(c + 2 * ldc, c20, c21, alpha, beta);
        Update(c + 3 * ldc, c30, c31, alpha, beta);
        Update(c + 4 * ldc, c40, c41, alpha, beta);
        Update(c + 5 * ldc, c50, c51, alpha, beta);
        Update(c + 6 * ldc, c60, c61, alpha, beta);
        Update(c + 7 * ldc, c70, c71, alpha, beta);
    }

    /// <summary>One tile row: c := beta·c + alpha·(x0, x1), without reading c when beta is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(T* c, Vector512<T> x0, Vector512<T> x1, T alpha, T beta)
    {
        T* c1 = c + Vector512<T>.Count;
        Vector512<T> va = Vector512.Create(alpha);
        x0 *= va;
        x1 *= va;
        if (beta != T.Zero)
        {
            Vector512<T> vb = Vector512.Create(beta);
            x0 = MultiplyAdd.Estimate(vb, Vector512.Load(c), x0);
            x1 = MultiplyAdd.Estimate(vb, Vector512.Load(c1), x1);
        }
        x0.Store(c);
        x1.Store(c1);
    }
}
