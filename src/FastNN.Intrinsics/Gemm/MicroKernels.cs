using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>A grid for a micro-kernel as offsets into spans (<see cref="TileGrid{T}"/> without its pointers), for <see cref="MicroKernels"/>.</summary>
internal readonly record struct TileLayout<T>(int K, int RowStepA, int DepthStepA, int TileStepA, int Ldb, int TileStepB, int Ldc,
    int RowTiles, int Columns, T Alpha, T Beta);

/// <summary>One micro-kernel as tests see it: its shape, and a way to run it on spans (checked) rather than pointers.</summary>
/// <param name="Name">The kernel type, e.g. "MicroKernel6x2 Vector256 Single".</param>
/// <param name="MR">Rows of a whole tile.</param>
/// <param name="NR">Columns of a tile.</param>
/// <param name="MasksColumns">Whether it takes a partial last column tile.</param>
/// <param name="Run">Runs the kernel with tiles of the given row count (1..MR) on the layout, after checking that every element it may touch lies in the spans.</param>
internal sealed record MicroKernelInfo<T>(string Name, int MR, int NR, bool MasksColumns, MicroKernelInfo<T>.Runner Run)
{
    public delegate void Runner(int rows, TileLayout<T> layout, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c);
}

/// <summary>Every micro-kernel this CPU can run, whichever path the process chose, so one test run checks them all.</summary>
internal static unsafe class MicroKernels
{
    /// <summary>The kernels for <typeparamref name="T"/> whose instructions this process may execute, widest first.</summary>
    public static IReadOnlyList<MicroKernelInfo<T>> Runnable<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernels = new List<MicroKernelInfo<T>>();
        if (Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            kernels.Add(Info<T, MicroKernel512<T>>("MicroKernel512"));
        if (Width256<T>.IsAccelerated)
            kernels.Add(Info<T, MicroKernel6x2<T, Vector256<T>, Width256<T>>>("MicroKernel6x2 Vector256"));
        if (Width128<T>.IsAccelerated)
            kernels.Add(Info<T, MicroKernel6x2<T, Vector128<T>, Width128<T>>>("MicroKernel6x2 Vector128"));
        kernels.Add(Info<T, MicroKernelScalar<T>>("MicroKernelScalar"));
        return kernels;
    }

    private static MicroKernelInfo<T> Info<T, TKernel>(string name)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T> =>
        new($"{name} {typeof(T).Name}", TKernel.MR, TKernel.NR, TKernel.MasksColumns, Run<T, TKernel>);

    /// <summary>Checks the layout against the spans, then runs <typeparamref name="TKernel"/> on it.</summary>
    /// <exception cref="ArgumentException">A step is negative, a row count or column count is out of the kernel's range, or a span is too short.</exception>
    private static void Run<T, TKernel>(int rows, TileLayout<T> g, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        int nr = TKernel.NR;
        if (rows < 1 || rows > TKernel.MR)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Tiles have 1..{TKernel.MR} rows.");
        if (g.K < 0 || g.RowTiles < 1 || g.Columns < 1 || (!TKernel.MasksColumns && g.Columns % nr != 0))
            throw new ArgumentException($"K {g.K}, {g.RowTiles} row tiles, {g.Columns} columns: not a grid this kernel takes (NR {nr}).", nameof(g));
        if (g.RowStepA < 0 || g.DepthStepA < 0 || g.TileStepA < 0 || g.Ldb < 0 || g.TileStepB < 0 || g.Ldc < g.Columns)
            throw new ArgumentException($"Steps must be non-negative and ldc ({g.Ldc}) at least the {g.Columns} columns.", nameof(g));
        int columnTiles = (g.Columns + nr - 1) / nr, lastWidth = g.Columns - (columnTiles - 1) * nr;
        long needA = g.K == 0 ? 0 : (long)(g.RowTiles - 1) * g.TileStepA + (long)(rows - 1) * g.RowStepA + (long)(g.K - 1) * g.DepthStepA + 1;
        long needB = g.K == 0 ? 0 : (long)(columnTiles - 1) * g.TileStepB + (long)(g.K - 1) * g.Ldb + (TKernel.MasksColumns ? lastWidth : nr);
        long needC = (long)(g.RowTiles * rows - 1) * g.Ldc + g.Columns;
        if (a.Length < needA || b.Length < needB || c.Length < needC)
            throw new ArgumentException($"The grid reads {needA} elements of A, {needB} of B and touches {needC} of C; the spans hold {a.Length}, {b.Length}, {c.Length}.");
        fixed (T* pa = a, pb = b, pc = c)
        {
            TileGrid<T> grid = default;
            grid.K = g.K;
            grid.A = pa;
            grid.RowStepA = g.RowStepA;
            grid.DepthStepA = g.DepthStepA;
            grid.TileStepA = g.TileStepA;
            grid.B = pb;
            grid.Ldb = g.Ldb;
            grid.TileStepB = g.TileStepB;
            grid.C = pc;
            grid.Ldc = g.Ldc;
            grid.RowTiles = g.RowTiles;
            grid.Columns = g.Columns;
            grid.Alpha = g.Alpha;
            grid.Beta = g.Beta;
            Gemm.RunRows<T, TKernel>(rows, grid);
        }
    }
}
