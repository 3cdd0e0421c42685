using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>A panel group of 4 panels.</summary>
internal readonly struct Panels4 : IConstant { public static int Value => 4; }

/// <summary>A panel group of 2 panels.</summary>
internal readonly struct Panels2 : IConstant { public static int Value => 2; }

/// <summary>A panel group of 1 panel.</summary>
internal readonly struct Panels1 : IConstant { public static int Value => 1; }

public static unsafe partial class Gemm
{
    /// <summary>
    /// Most accumulators of a panel-rows tile: rows × (vectors across the tile). One row takes 8 (4 panels: eight FMA
    /// chains cover the FMA latency of every core here, 4 cycles on 2 pipes, and four streams of B are all the bandwidth
    /// needs); on AVX-512, with 32 registers, two and four rows take 16 (2 and 4 panels), so each load of B feeds more
    /// FMAs. The other paths have 16 registers in all and keep to 8.
    /// </summary>
    private const int PanelTileAccumulators = 16;

    /// <summary>Accumulators of a tile of <paramref name="rows"/> rows whose vectors are <paramref name="vectorBytes"/> wide.</summary>
    private static int TileAccumulators(int rows, int vectorBytes) => rows > 1 && vectorBytes == 64 ? PanelTileAccumulators : 8;

    /// <summary>
    /// <c>C = f(A·B + bias)</c> for a few rows of A against a prepacked B, without packing anything: the matrix-vector
    /// product of batch 1 and the small batches. Row tiles of 4, 2 and 1 rows; each sweeps B's depth blocks, and in each
    /// block groups of panels whose accumulators fill <see cref="PanelTileAccumulators"/> registers (one row: 4 panels of
    /// 2 vectors, 4 streams of B side by side; four rows: 1 panel). Every element of C gets the arithmetic the packed
    /// GEMM gives it: one chain of multiply-adds down each depth block from zero, the blocks' sums added in order, then
    /// the bias and the activation at the path's vector width; so a row's result depends neither on the batch nor on
    /// which path computed it.
    /// </summary>
    [SkipLocalsInit]
    private static void PanelRows<T, TKernel, TWidth, TVector, TOp>(int m, T* a, nint lda, PrepackedMatrix<T> b, T* bias, T* c, nint ldc, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct where TOp : struct, IUnaryOperator<T>
    {
        // Rows per tile: at most 4, and no more than leave one panel's vectors per row in the accumulators.
        int vectorsPerPanel = TKernel.NR / TWidth.Count, maxRows = Math.Min(4, TileAccumulators(4, TWidth.Count * sizeof(T)) / vectorsPerPanel);
        int i = 0;
        for (; maxRows >= 4 && m - i >= 4; i += 4)
            RowTile<T, TKernel, TWidth, TVector, TOp, Rows4>(a + i * lda, lda, b, bias, c + i * ldc, ldc, op);
        for (; m - i >= 2; i += 2)
            RowTile<T, TKernel, TWidth, TVector, TOp, Rows2>(a + i * lda, lda, b, bias, c + i * ldc, ldc, op);
        if (i < m)
            RowTile<T, TKernel, TWidth, TVector, TOp, Rows1>(a + i * lda, lda, b, bias, c + i * ldc, ldc, op);
    }

    /// <summary>
    /// Whether the panel-rows kernel sweeps a matrix's panels in the reverse order on every other call (see
    /// <see cref="PrepackedMatrix{T}.NextSweepReversed"/>); the benchmark turns it off to measure what it brings.
    /// </summary>
    internal static bool AlternatePanelOrder = true;

    /// <summary>
    /// TRows rows of C: every depth block of B, in each the panels in groups as wide as the accumulators allow. The
    /// groups go left to right or, on every other call, right to left: each group's columns get the same arithmetic
    /// either way, but a pass over weights slightly larger than the L2 then starts with the groups the previous pass
    /// read last, which are still in L2, instead of those it evicted first (a cache keeping the most recently used
    /// lines loses every line of a cyclic pass larger than itself).
    /// </summary>
    private static void RowTile<T, TKernel, TWidth, TVector, TOp, TRows>(T* a, nint lda, PrepackedMatrix<T> b, T* bias, T* c, nint ldc, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct where TOp : struct, IUnaryOperator<T>
        where TRows : struct, IConstant
    {
        int nr = TKernel.NR, group = TileAccumulators(TRows.Value, TWidth.Count * sizeof(T)) / TRows.Value / (nr / TWidth.Count), panels = b.Panels;
        // Groups of 4, then 2, then 1 panels, left to right: fours at 0, 4, …; twos from fours·4; ones after.
        int fours = group >= 4 ? panels / 4 : 0, twos = group >= 2 ? (panels - 4 * fours) / 2 : 0, ones = panels - 4 * fours - 2 * twos;
        bool reversed = AlternatePanelOrder && b.NextSweepReversed();
        for (int block = 0, pc = 0; block < b.BlockCount; pc += b.BlockDepth(block), block++)
        {
            int kc = b.BlockDepth(block);
            bool first = block == 0, last = block == b.BlockCount - 1;
            T* panel = b.Block(block);
            nint panelStride = (nint)nr * kc;
            for (int g = 0; g < fours + twos + ones; g++)
            {
                int i = reversed ? fours + twos + ones - 1 - g : g;
                int q = i < fours ? 4 * i : i < fours + twos ? 4 * fours + 2 * (i - fours) : 4 * fours + 2 * twos + (i - fours - twos);
                if (i < fours)
                    PanelTile<T, TKernel, TWidth, TVector, TOp, TRows, Panels4>(kc, a + pc, lda, panel + q * panelStride, panelStride, bias, c, ldc, q * nr, b.N, first, last, op);
                else if (i < fours + twos)
                    PanelTile<T, TKernel, TWidth, TVector, TOp, TRows, Panels2>(kc, a + pc, lda, panel + q * panelStride, panelStride, bias, c, ldc, q * nr, b.N, first, last, op);
                else
                    PanelTile<T, TKernel, TWidth, TVector, TOp, TRows, Panels1>(kc, a + pc, lda, panel + q * panelStride, panelStride, bias, c, ldc, q * nr, b.N, first, last, op);
            }
        }
    }

    /// <summary>
    /// One tile: TRows rows of A (kc deep, row stride lda) times TPanels panels of B (each NR wide, panelStride apart),
    /// into columns [column, column + TPanels·NR) of C, clipped at <paramref name="n"/>. Accumulator i holds row
    /// i / V and vector i % V of the tile (V vectors across it, contiguous in C: panel g's vector u is vector g·P + u).
    /// Unless <paramref name="first"/>, the block's sums are added to what C holds; when <paramref name="last"/>, the
    /// bias and the activation follow before the store.
    /// </summary>
    [SkipLocalsInit]
    private static void PanelTile<T, TKernel, TWidth, TVector, TOp, TRows, TPanels>(int kc, T* a, nint lda, T* panel, nint panelStride,
        T* bias, T* c, nint ldc, int column, int n, bool first, bool last, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct where TOp : struct, IUnaryOperator<T>
        where TRows : struct, IConstant where TPanels : struct, IConstant
    {
        int w = TWidth.Count, across = TPanels.Value * (TKernel.NR / w), count = TRows.Value * across;
        Debug.Assert(count <= PanelTileAccumulators);
        T* sums = stackalloc T[PanelTileAccumulators * w];
        Accumulate<T, TKernel, TWidth, TVector, TRows, TPanels>(kc, a, lda, panel, panelStride, sums);
        for (int i = 0; i < count; i++)
            Finish<T, TWidth, TVector, TOp>(TWidth.Load(ref *sums, (nuint)(i * w)), i, across, bias, c, ldc, column, n, first, last, op);
    }

    /// <summary>
    /// The tile's products, stored to <paramref name="sums"/> (accumulator i at i·W): c_i = Σ_p a[i / V, p]·b[p, i % V].
    /// A method of its own, the loop and nothing else: with the epilogue in the same method the JIT kept all but one
    /// accumulator in memory, a store and a load per FMA (the batch-1 kernel ran at half speed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<T, TKernel, TWidth, TVector, TRows, TPanels>(int kc, T* a, nint lda, T* panel, nint panelStride, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant where TPanels : struct, IConstant
    {
        int w = TWidth.Count, nr = TKernel.NR, rows = TRows.Value, across = TPanels.Value * (nr / w), count = rows * across;
        T* w0 = panel, w1 = panel + panelStride, w2 = panel + 2 * panelStride, w3 = panel + 3 * panelStride;
        T* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        TVector c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        TVector b0, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        TVector x0, x1 = default, x2 = default, x3 = default;
        for (int p = 0; p < kc; p++, w0 += nr, w1 += nr, w2 += nr, w3 += nr)
        {
            // The tile's vectors of B at this depth step, then one broadcast of A per row; c_i += a[i / V]·b[i % V].
            b0 = LoadPanel<T, TKernel, TWidth, TVector>(0, w0, w1, w2, w3);
            if (across > 1) b1 = LoadPanel<T, TKernel, TWidth, TVector>(1, w0, w1, w2, w3);
            if (across > 2) b2 = LoadPanel<T, TKernel, TWidth, TVector>(2, w0, w1, w2, w3);
            if (across > 3) b3 = LoadPanel<T, TKernel, TWidth, TVector>(3, w0, w1, w2, w3);
            if (across > 4) b4 = LoadPanel<T, TKernel, TWidth, TVector>(4, w0, w1, w2, w3);
            if (across > 5) b5 = LoadPanel<T, TKernel, TWidth, TVector>(5, w0, w1, w2, w3);
            if (across > 6) b6 = LoadPanel<T, TKernel, TWidth, TVector>(6, w0, w1, w2, w3);
            if (across > 7) b7 = LoadPanel<T, TKernel, TWidth, TVector>(7, w0, w1, w2, w3);
            x0 = TWidth.Broadcast(a0[p]);
            if (rows > 1) x1 = TWidth.Broadcast(a1[p]);
            if (rows > 2) x2 = TWidth.Broadcast(a2[p]);
            if (rows > 3) x3 = TWidth.Broadcast(a3[p]);
            c0 = TWidth.MultiplyAdd(x0, b0, c0);
            if (count > 1) c1 = TWidth.MultiplyAdd(Pick(1 / across, x0, x1, x2, x3), Pick(1 % across, b0, b1, b2, b3, b4, b5, b6, b7), c1);
            if (count > 2) c2 = TWidth.MultiplyAdd(Pick(2 / across, x0, x1, x2, x3), Pick(2 % across, b0, b1, b2, b3, b4, b5, b6, b7), c2);
            if (count > 3) c3 = TWidth.MultiplyAdd(Pick(3 / across, x0, x1, x2, x3), Pick(3 % across, b0, b1, b2, b3, b4, b5, b6, b7), c3);
            if (count > 4) c4 = TWidth.MultiplyAdd(Pick(4 / across, x0, x1, x2, x3), Pick(4 % across, b0, b1, b2, b3, b4, b5, b6, b7), c4);
            if (count > 5) c5 = TWidth.MultiplyAdd(Pick(5 / across, x0, x1, x2, x3), Pick(5 % across, b0, b1, b2, b3, b4, b5, b6, b7), c5);
            if (count > 6) c6 = TWidth.MultiplyAdd(Pick(6 / across, x0, x1, x2, x3), Pick(6 % across, b0, b1, b2, b3, b4, b5, b6, b7), c6);
            if (count > 7) c7 = TWidth.MultiplyAdd(Pick(7 / across, x0, x1, x2, x3), Pick(7 % across, b0, b1, b2, b3, b4, b5, b6, b7), c7);
            if (count > 8) c8 = TWidth.MultiplyAdd(Pick(8 / across, x0, x1, x2, x3), Pick(8 % across, b0, b1, b2, b3, b4, b5, b6, b7), c8);
            if (count > 9) c9 = TWidth.MultiplyAdd(Pick(9 / across, x0, x1, x2, x3), Pick(9 % across, b0, b1, b2, b3, b4, b5, b6, b7), c9);
            if (count > 10) c10 = TWidth.MultiplyAdd(Pick(10 / across, x0, x1, x2, x3), Pick(10 % across, b0, b1, b2, b3, b4, b5, b6, b7), c10);
            if (count > 11) c11 = TWidth.MultiplyAdd(Pick(11 / across, x0, x1, x2, x3), Pick(11 % across, b0, b1, b2, b3, b4, b5, b6, b7), c11);
            if (count > 12) c12 = TWidth.MultiplyAdd(Pick(12 / across, x0, x1, x2, x3), Pick(12 % across, b0, b1, b2, b3, b4, b5, b6, b7), c12);
            if (count > 13) c13 = TWidth.MultiplyAdd(Pick(13 / across, x0, x1, x2, x3), Pick(13 % across, b0, b1, b2, b3, b4, b5, b6, b7), c13);
            if (count > 14) c14 = TWidth.MultiplyAdd(Pick(14 / across, x0, x1, x2, x3), Pick(14 % across, b0, b1, b2, b3, b4, b5, b6, b7), c14);
            if (count > 15) c15 = TWidth.MultiplyAdd(Pick(15 / across, x0, x1, x2, x3), Pick(15 % across, b0, b1, b2, b3, b4, b5, b6, b7), c15);
        }
        TWidth.Store(c0, ref *sums, 0);
        if (count > 1) TWidth.Store(c1, ref *sums, (nuint)(1 * w));
        if (count > 2) TWidth.Store(c2, ref *sums, (nuint)(2 * w));
        if (count > 3) TWidth.Store(c3, ref *sums, (nuint)(3 * w));
        if (count > 4) TWidth.Store(c4, ref *sums, (nuint)(4 * w));
        if (count > 5) TWidth.Store(c5, ref *sums, (nuint)(5 * w));
        if (count > 6) TWidth.Store(c6, ref *sums, (nuint)(6 * w));
        if (count > 7) TWidth.Store(c7, ref *sums, (nuint)(7 * w));
        if (count > 8) TWidth.Store(c8, ref *sums, (nuint)(8 * w));
        if (count > 9) TWidth.Store(c9, ref *sums, (nuint)(9 * w));
        if (count > 10) TWidth.Store(c10, ref *sums, (nuint)(10 * w));
        if (count > 11) TWidth.Store(c11, ref *sums, (nuint)(11 * w));
        if (count > 12) TWidth.Store(c12, ref *sums, (nuint)(12 * w));
        if (count > 13) TWidth.Store(c13, ref *sums, (nuint)(13 * w));
        if (count > 14) TWidth.Store(c14, ref *sums, (nuint)(14 * w));
        if (count > 15) TWidth.Store(c15, ref *sums, (nuint)(15 * w));
    }

    /// <summary>Vector v of a tile at the current depth step: panel v / P (of w0..w3), its vector v % P, P vectors per panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadPanel<T, TKernel, TWidth, TVector>(int v, T* w0, T* w1, T* w2, T* w3)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        int w = TWidth.Count, perPanel = TKernel.NR / w;
        T* panel = (v / perPanel) switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
        return TWidth.Load(ref *panel, (nuint)(v % perPanel * w));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pick<TVector>(int i, TVector x0, TVector x1, TVector x2, TVector x3) =>
        i switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pick<TVector>(int i, TVector x0, TVector x1, TVector x2, TVector x3, TVector x4, TVector x5, TVector x6, TVector x7) =>
        i switch { 0 => x0, 1 => x1, 2 => x2, 3 => x3, 4 => x4, 5 => x5, 6 => x6, _ => x7 };

    /// <summary>
    /// Accumulator i of a tile V vectors across: row i / V of C, columns from column + (i % V)·W. Adds the earlier
    /// blocks' sums (unless first), then on the last block f(z + bias); stores what lies within the n columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<T, TWidth, TVector, TOp>(TVector sum, int i, int across, T* bias, T* c, nint ldc, int column, int n,
        bool first, bool last, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
        where TOp : struct, IUnaryOperator<T>
    {
        int j = column + i % across * TWidth.Count;
        if (j >= n)
            return;
        T* row = c + i / across * ldc;
        if (!first)
            sum = TWidth.Add(Epilogue.LoadPart<T, TWidth, TVector>(row + j, n - j), sum);
        if (last)
            sum = Epilogue.Apply<T, TWidth, TVector, TOp>(sum, bias, j, n, op);
        Epilogue.StorePart<T, TWidth, TVector>(sum, row + j, n - j);
    }
}
