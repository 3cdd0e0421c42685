using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Gemm;

/// <summary>
/// Every micro-kernel this CPU can run, called directly on one grid (IMicroKernel's contract), so a plain
/// <c>dotnet test</c> on an AVX-512 machine also checks the AVX2, 128-bit and scalar kernels that only CI's other
/// runs would otherwise reach: every row count, every column edge a kernel masks, packed and in-place operands,
/// depths 0 to 17, alpha and beta each 1, 0 or otherwise.
/// </summary>
public class MicroKernelContractTests
{
    private static readonly double[] Alphas = [1.0, 0.5, -1.75];
    private static readonly double[] Betas = [0.0, 1.0, -0.5];

    [Fact]
    public void FloatKernelsKeepTheContract() => Check<float>();

    [Fact]
    public void DoubleKernelsKeepTheContract() => Check<double>();

    // The 512-bit, 256-bit, 128-bit and scalar kernels where the CPU has them; on any x86-64 at least 128-bit and scalar.
    [Fact]
    public void EveryKernelTheCpuCanRunIsChecked()
    {
        IReadOnlyList<MicroKernelInfo<float>> kernels = MicroKernels.Runnable<float>();
        Assert.Contains(kernels, k => k.Name.StartsWith("MicroKernelScalar"));
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Assert.Contains(kernels, k => k.Name.StartsWith("MicroKernel6x2 Vector256"));
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.Contains(kernels, k => k.Name.StartsWith("MicroKernel512"));
    }

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(17);
        foreach (MicroKernelInfo<T> kernel in MicroKernels.Runnable<T>())
        {
            int mr = kernel.MR, nr = kernel.NR, w = nr / 2;
            // Whole tiles, one or two across; masking kernels also every edge around a vector and a tile.
            int[] widths = kernel.MasksColumns ? [nr, 2 * nr, 1, w - 1, w, w + 1, nr - 1, nr + 3] : [nr, 2 * nr];
            foreach (int k in new[] { 0, 1, 3, 17 })
            foreach (bool packedA in new[] { true, false })
            foreach (int columns in widths)
            {
                double alpha = Alphas[rng.Next(Alphas.Length)], beta = Betas[rng.Next(Betas.Length)];
                Case<T>(kernel, rng, k, packedA, !packedA, columns, alpha, beta);
            }
        }
    }

    /// <summary>
    /// Two row tiles of every row count MR..1 on one grid: each result element within the dot-product error bound of
    /// a double reference, nothing outside the grid's rows and columns touched, NaN in C unread when beta is zero,
    /// and the first tile's rows bit-identical to the same rows computed in a whole MR-row tile.
    /// </summary>
    private static void Case<T>(MicroKernelInfo<T> kernel, Random rng, int k, bool packedA, bool packedB, int columns, double alpha, double beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = kernel.MR, nr = kernel.NR, columnTiles = (columns + nr - 1) / nr;
        const int RowTiles = 2;
        // Ã: packed micro-panels (element [i, p] of panel r at r·MR·k + i + p·MR), or the rows of a row-major A
        // (lda = k + 3) where they lie, a short tile reading only its own rows.
        int lda = k + 3;
        T[] a = Fill<T>(rng, packedA ? RowTiles * mr * Math.Max(k, 1) : RowTiles * mr * lda);
        // B̃: packed panels (ldb = NR, panel t at t·NR·k), or the columns of a row-major B (ldb = columns + 5).
        int ldb = packedB ? nr : columns + 5, tileStepB = packedB ? nr * k : nr;
        T[] b = Fill<T>(rng, packedB ? columnTiles * nr * Math.Max(k, 1) : Math.Max(k, 1) * ldb);
        int ldc = columns + 7;
        T[] c0 = Fill<T>(rng, (RowTiles * mr + 2) * ldc);
        T sentinel = T.CreateChecked(-777.5);
        double u = GemmAssert.UnitRoundoff<T>();
        T[]? whole = null;
        for (int rows = mr; rows >= 1; rows--)
        {
            (int rowStep, int depthStep, int tileStep) = packedA ? (1, mr, mr * k) : (lda, 1, rows * lda);
            T[] c = (T[])c0.Clone();
            for (int i = 0; i < c.Length; i++)
            {
                if (i / ldc >= RowTiles * rows || i % ldc >= columns)
                    c[i] = sentinel;
                else if (beta == 0)
                    c[i] = T.NaN;
            }
            T[] before = (T[])c.Clone();
            var layout = new TileLayout<T>(k, rowStep, depthStep, tileStep, ldb, tileStepB, ldc, RowTiles, columns,
                T.CreateChecked(alpha), T.CreateChecked(beta));

            kernel.Run(rows, layout, a, b, c);

            string where = $"{kernel.Name}, {rows} rows, {columns} columns, k {k}, A {(packedA ? "packed" : "in place")}, " +
                $"B {(packedB ? "packed" : "in place")}, alpha {alpha}, beta {beta}";
            for (int i = 0; i < c.Length; i++)
            {
                int row = i / ldc, col = i % ldc;
                if (row >= RowTiles * rows || col >= columns)
                {
                    Assert.True(GemmAssert.BitEquals(c[i], before[i]), $"C[{row},{col}] outside the grid changed: {where}");
                    continue;
                }
                int tile = row / rows, r = row % rows, t = col / nr, j = col % nr;
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(a[tile * tileStep + r * rowStep + p * depthStep]);
                    double y = double.CreateChecked(b[t * tileStepB + p * ldb + j]);
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }
                double old = beta == 0 ? 0 : beta * double.CreateChecked(before[i]);
                double expected = alpha * sum + old, bound = GemmAssert.Bound(k, u, Math.Abs(alpha) * magnitude + Math.Abs(old));
                double actual = double.CreateChecked(c[i]);
                Assert.True(Math.Abs(actual - expected) <= bound, $"C[{row},{col}] = {actual}, expected {expected} ± {bound}: {where}");
            }

            // The first row tile reads the same rows of Ã and the same C whatever its height: same bits.
            if (rows == mr)
            {
                whole = c;
                continue;
            }
            for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
                Assert.True(GemmAssert.BitEquals(c[r * ldc + j], whole![r * ldc + j]), $"C[{r},{j}] of a {rows}-row tile differs from a whole tile's: {where}");
        }
    }

    private static T[] Fill<T>(Random rng, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++)
            x[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        return x;
    }
}
