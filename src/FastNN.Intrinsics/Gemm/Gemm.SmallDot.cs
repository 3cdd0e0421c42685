using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// C = alpha·A·Bᵀ + beta·C (A m×k and B n×k, both row-major: a Dense layer's forward pass) as dot products of rows,
    /// lanes along k, on the vector width of <see cref="Isa.Path"/>: B is read where it lies, nothing is packed, copied
    /// or spent on padding columns. Taken where <see cref="TakesDotPath{T, TKernel}(in GemmOperands{T})"/> says.
    /// </summary>
    private static void SmallDot<T>(in GemmOperands<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Isa.Path)
        {
            case IsaPath.Vector512:
                Dot<T, Width512<T>, Vector512<T>>(op);
                break;
            case IsaPath.Vector256:
                Dot<T, Width256<T>, Vector256<T>>(op);
                break;
            case IsaPath.Vector128:
                Dot<T, Width128<T>, Vector128<T>>(op);
                break;
            default:
                Dot<T, ScalarWidth<T>, T>(op);
                break;
        }
    }

    /// <summary>
    /// The dot-product path on one thread or, for a large call, split across threads by strips of columns (or, when C
    /// has fewer strips than threads, by rows): every element is the same dot product in the same order wherever it
    /// falls, so results do not depend on the thread count.
    /// </summary>
    private static void Dot<T, TWidth, TVector>(in GemmOperands<T> op)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
    {
        int parts = PartCount(op.M, op.N, op.K, Parallelism.MaxThreads);
        if (parts == 1)
        {
            DotColumns<T, TWidth, TVector>(op, 0, op.M, 0, op.N);
            return;
        }
        DotWork<T, TWidth, TVector> work = DotWork<T, TWidth, TVector>.ForThisThread;
        work.Set(op);
        try
        {
            WorkerPool.Run(work, parts);
        }
        finally
        {
            work.Clear();
        }
    }

    /// <summary>
    /// Rows [i0, i1) and columns [j0, j1) of C, a strip of <see cref="IDotWidth{T, TVector}.DotStrip"/> columns at a
    /// time down all the rows: the strip's rows of B stay in L1 while the rows of A pass, so B comes from memory once.
    /// </summary>
    private static void DotColumns<T, TWidth, TVector>(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
    {
        for (int j = j0; j < j1; j += TWidth.DotStrip)
        {
            int end = Math.Min(j + TWidth.DotStrip, j1), i = i0;
            for (; i + 4 <= i1; i += 4)
                DotStripTiles<T, TWidth, TVector, Rows4>(op, i, j, end);
            switch (i1 - i)
            {
                case 3: DotStripTiles<T, TWidth, TVector, Rows3>(op, i, j, end); break;
                case 2: DotStripTiles<T, TWidth, TVector, Rows2>(op, i, j, end); break;
                case 1: DotStripTiles<T, TWidth, TVector, Rows1>(op, i, j, end); break;
            }
        }
    }

    /// <summary>The dot-product path split into strips of columns or groups of four rows, one range per part; one instance per calling thread, reused.</summary>
    private sealed class DotWork<T, TWidth, TVector> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
    {
        [ThreadStatic] private static DotWork<T, TWidth, TVector>? t_instance;

        private GemmOperands<T> _op;

        public static DotWork<T, TWidth, TVector> ForThisThread => t_instance ??= new DotWork<T, TWidth, TVector>();

        public void Set(in GemmOperands<T> op) => _op = op;

        /// <summary>Drops the pointers once the caller's spans are unpinned.</summary>
        public void Clear() => _op = default;

        public void Execute(int part, int partCount)
        {
            int strips = (_op.N + TWidth.DotStrip - 1) / TWidth.DotStrip;
            if (strips >= partCount)
            {
                (int j0, int j1) = PartRange(part, partCount, _op.N, TWidth.DotStrip);
                DotColumns<T, TWidth, TVector>(_op, 0, _op.M, j0, j1);
            }
            else
            {
                (int i0, int i1) = PartRange(part, partCount, _op.M, 4);
                DotColumns<T, TWidth, TVector>(_op, i0, i1, 0, _op.N);
            }
        }
    }

    /// <summary>Rows i.. (TRows of them) of columns [j, end), in tiles as wide as <see cref="IDotWidth{T, TVector}.DotColumns"/> says.</summary>
    private static void DotStripTiles<T, TWidth, TVector, TRows>(in GemmOperands<T> op, int i, int j, int end)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant
    {
        int columns = TWidth.DotColumns(TRows.Value);
        for (; j < end; j += columns)
        {
            switch (Math.Min(columns, end - j))
            {
                case 5: DotTile<T, TWidth, TVector, TRows, Cols5>(op, i, j); break;
                case 4: DotTile<T, TWidth, TVector, TRows, Cols4>(op, i, j); break;
                case 3: DotTile<T, TWidth, TVector, TRows, Cols3>(op, i, j); break;
                case 2: DotTile<T, TWidth, TVector, TRows, Cols2>(op, i, j); break;
                default: DotTile<T, TWidth, TVector, TRows, Cols1>(op, i, j); break;
            }
        }
    }

    /// <summary>
    /// A TRows × TCols tile of C at (i, j), one vector accumulator per element; the k remainder is one partial vector
    /// (<see cref="IDotWidth{T, TVector}.LoadFirst"/>), so nothing past a row is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile<T, TWidth, TVector, TRows, TCols>(in GemmOperands<T> op, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant where TCols : struct, IConstant
    {
        int w = TWidth.Count, k = op.K;
        nint lda = op.Lda, ldb = op.Ldb;
        T* a0 = op.A + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        T* b0 = op.B + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb;
        // Before the loop: a call here after it would make the JIT spill the sums around it.
        T* c = op.AtC(i, j);
        nint ldc = op.Ldc;
        DotSums<TVector> s = default;
        int p = 0;
        for (; p + w <= k; p += w)
            DotStep<T, TWidth, TVector, TRows, TCols, Unmasked>(a0 + p, a1 + p, a2 + p, a3 + p, b0 + p, b1 + p, b2 + p, b3 + p, b4 + p, default, 0, ref s);
        if (p < k)
            DotStep<T, TWidth, TVector, TRows, TCols, Masked>(a0 + p, a1 + p, a2 + p, a3 + p, b0 + p, b1 + p, b2 + p, b3 + p, b4 + p, TWidth.FirstLanes(k - p), k - p, ref s);
        StoreTile<T, TWidth, TVector, TRows, TCols>(c, ldc, ref s, op.Alpha, op.Beta);
    }

    /// <summary>
    /// One vector step along k of a dot-product tile: rows a0..a3 of A against rows b0..b4 of B (as many as TRows and
    /// TCols say), whole vectors or, with <see cref="Masked"/>, the first <paramref name="count"/> lanes. Inlined, so
    /// the sums stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotStep<T, TWidth, TVector, TRows, TCols, TMask>(T* a0, T* a1, T* a2, T* a3, T* b0, T* b1, T* b2, T* b3, T* b4,
        TVector mask, int count, ref DotSums<TVector> s)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant where TCols : struct, IConstant where TMask : struct, IConstant
    {
        int rows = TRows.Value, cols = TCols.Value;
        TVector x0 = DotLoad<T, TWidth, TVector, TMask>(a0, mask, count);
        TVector x1 = rows > 1 ? DotLoad<T, TWidth, TVector, TMask>(a1, mask, count) : default;
        TVector x2 = rows > 2 ? DotLoad<T, TWidth, TVector, TMask>(a2, mask, count) : default;
        TVector x3 = rows > 3 ? DotLoad<T, TWidth, TVector, TMask>(a3, mask, count) : default;
        TVector y = DotLoad<T, TWidth, TVector, TMask>(b0, mask, count);
        s.S00 = TWidth.MultiplyAdd(x0, y, s.S00);
        if (rows > 1) s.S10 = TWidth.MultiplyAdd(x1, y, s.S10);
        if (rows > 2) s.S20 = TWidth.MultiplyAdd(x2, y, s.S20);
        if (rows > 3) s.S30 = TWidth.MultiplyAdd(x3, y, s.S30);
        if (cols > 1)
        {
            y = DotLoad<T, TWidth, TVector, TMask>(b1, mask, count);
            s.S01 = TWidth.MultiplyAdd(x0, y, s.S01);
            if (rows > 1) s.S11 = TWidth.MultiplyAdd(x1, y, s.S11);
            if (rows > 2) s.S21 = TWidth.MultiplyAdd(x2, y, s.S21);
            if (rows > 3) s.S31 = TWidth.MultiplyAdd(x3, y, s.S31);
        }
        if (cols > 2)
        {
            y = DotLoad<T, TWidth, TVector, TMask>(b2, mask, count);
            s.S02 = TWidth.MultiplyAdd(x0, y, s.S02);
            if (rows > 1) s.S12 = TWidth.MultiplyAdd(x1, y, s.S12);
            if (rows > 2) s.S22 = TWidth.MultiplyAdd(x2, y, s.S22);
            if (rows > 3) s.S32 = TWidth.MultiplyAdd(x3, y, s.S32);
        }
        if (cols > 3)
        {
            y = DotLoad<T, TWidth, TVector, TMask>(b3, mask, count);
            s.S03 = TWidth.MultiplyAdd(x0, y, s.S03);
            if (rows > 1) s.S13 = TWidth.MultiplyAdd(x1, y, s.S13);
            if (rows > 2) s.S23 = TWidth.MultiplyAdd(x2, y, s.S23);
            if (rows > 3) s.S33 = TWidth.MultiplyAdd(x3, y, s.S33);
        }
        if (cols > 4)
        {
            y = DotLoad<T, TWidth, TVector, TMask>(b4, mask, count);
            s.S04 = TWidth.MultiplyAdd(x0, y, s.S04);
            if (rows > 1) s.S14 = TWidth.MultiplyAdd(x1, y, s.S14);
            if (rows > 2) s.S24 = TWidth.MultiplyAdd(x2, y, s.S24);
            if (rows > 3) s.S34 = TWidth.MultiplyAdd(x3, y, s.S34);
        }
    }

    /// <summary>A whole vector (<see cref="Unmasked"/>) or the first <paramref name="count"/> lanes (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector DotLoad<T, TWidth, TVector, TMask>(T* p, TVector mask, int count)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TMask : struct, IConstant =>
        TMask.Value == 0 ? TWidth.Load(ref *p, 0) : TWidth.LoadFirst(p, mask, count);

    /// <summary>
    /// Reduces a tile's sums by the tree of <see cref="IDotWidth{T, TVector}"/> and stores them: a set of rows at a time
    /// (as many as a vector has groups), in chunks of as many columns as a group has lanes. Rows and columns the tile
    /// lacks are stood in for by row 0 and column 0: reduced, never stored. Stand-ins, not the accumulators a smaller
    /// tile never writes: reading those made one-row and three-column tiles 5x slower. Written with few call sites:
    /// past about a thousand locals (every inlined call adds some) the JIT keeps the rest, the sums among them, in memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile<T, TWidth, TVector, TRows, TCols>(T* c, nint ldc, ref DotSums<TVector> s, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant where TCols : struct, IConstant
    {
        TVector scale = TWidth.Broadcast(alpha);
        // A 512-bit vector holds all four rows: one set, whose rows the JIT then knows (typeof is a constant as it
        // imports the method, so only one of the two calls is compiled: two would take the JIT past its locals).
        if (typeof(TVector) == typeof(Vector512<T>))
        {
            StoreSet<T, TWidth, TVector, TRows, TCols>(c, ldc, ref s, 0, scale, beta);
            return;
        }
        int sets = (TRows.Value + TWidth.Groups - 1) / TWidth.Groups;
        for (int set = 0; set < sets; set++)
            StoreSet<T, TWidth, TVector, TRows, TCols>(c, ldc, ref s, set, scale, beta);
    }

    /// <summary>The rows of set <paramref name="set"/> (rows set·Groups on), every chunk of columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSet<T, TWidth, TVector, TRows, TCols>(T* c, nint ldc, ref DotSums<TVector> s, int set, TVector scale, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant where TCols : struct, IConstant
    {
        int cols = TCols.Value, groups = TWidth.Groups, lanes = TWidth.Count / groups;
        // Column j of this set's rows, one group per row.
        TVector f0 = FoldedColumn<T, TWidth, TVector, TRows>(ref s, set, 0);
        TVector f1 = cols > 1 ? FoldedColumn<T, TWidth, TVector, TRows>(ref s, set, 1) : f0;
        TVector f2 = cols > 2 ? FoldedColumn<T, TWidth, TVector, TRows>(ref s, set, 2) : f0;
        TVector f3 = cols > 3 ? FoldedColumn<T, TWidth, TVector, TRows>(ref s, set, 3) : f0;
        TVector f4 = cols > 4 ? FoldedColumn<T, TWidth, TVector, TRows>(ref s, set, 4) : f0;
        // Chunks of as many columns as a group has lanes, written out so that each one's columns are constants.
        c += set * groups * ldc;
        int rows = TRows.Value - set * groups;
        StoreChunk<T, TWidth, TVector, TCols>(c, ldc, rows, 0, f0, f1, f2, f3, f4, scale, beta);
        if (cols > lanes)
            StoreChunk<T, TWidth, TVector, TCols>(c, ldc, rows, lanes, f0, f1, f2, f3, f4, scale, beta);
        if (cols > 2 * lanes)
            StoreChunk<T, TWidth, TVector, TCols>(c, ldc, rows, 2 * lanes, f0, f1, f2, f3, f4, scale, beta);
        if (cols > 3 * lanes)
            StoreChunk<T, TWidth, TVector, TCols>(c, ldc, rows, 3 * lanes, f0, f1, f2, f3, f4, scale, beta);
        if (cols > 4 * lanes)
            StoreChunk<T, TWidth, TVector, TCols>(c, ldc, rows, 4 * lanes, f0, f1, f2, f3, f4, scale, beta);
    }

    /// <summary>
    /// Columns j0.. (as many as a group has lanes) of a set's rows (<paramref name="rows"/> of them left in the tile,
    /// from <paramref name="c"/>), from the set's folded columns f0..f4 (f0 standing in past the tile).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreChunk<T, TWidth, TVector, TCols>(T* c, nint ldc, int rows, int j0,
        TVector f0, TVector f1, TVector f2, TVector f3, TVector f4, TVector scale, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TCols : struct, IConstant
    {
        int groups = TWidth.Groups, count = Math.Min(TWidth.Count / groups, TCols.Value - j0);
        // Lane j of group g: row g, column j0 + j.
        TVector sums = TWidth.Multiply(TWidth.LaneSums(Pick(f0, f1, f2, f3, f4, j0), Pick(f0, f1, f2, f3, f4, j0 + 1),
            Pick(f0, f1, f2, f3, f4, j0 + 2), Pick(f0, f1, f2, f3, f4, j0 + 3)), scale);
        c += j0;
        TWidth.StoreGroup(sums, 0, c, count, beta);
        if (groups > 1 && rows > 1)
            TWidth.StoreGroup(sums, 1, c + ldc, count, beta);
        if (groups > 2 && rows > 2)
            TWidth.StoreGroup(sums, 2, c + 2 * ldc, count, beta);
        if (groups > 3 && rows > 3)
            TWidth.StoreGroup(sums, 3, c + 3 * ldc, count, beta);
    }

    /// <summary>f_j, or f0 past column 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pick<TVector>(TVector f0, TVector f1, TVector f2, TVector f3, TVector f4, int j) =>
        j switch { 1 => f1, 2 => f2, 3 => f3, 4 => f4, _ => f0 };

    /// <summary>Column <paramref name="j"/>'s four rows folded, set <paramref name="set"/> of them; rows the tile lacks stand in as row 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector FoldedColumn<T, TWidth, TVector, TRows>(ref DotSums<TVector> s, int set, int j)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IDotWidth<T, TVector> where TVector : struct
        where TRows : struct, IConstant
    {
        int rows = TRows.Value;
        TVector r0 = DotSums<TVector>.Get(ref s, 0, j);
        return TWidth.FoldColumn(r0, rows > 1 ? DotSums<TVector>.Get(ref s, 1, j) : r0, rows > 2 ? DotSums<TVector>.Get(ref s, 2, j) : r0,
            rows > 3 ? DotSums<TVector>.Get(ref s, 3, j) : r0, set);
    }

    /// <summary>The accumulators of a dot-product tile, S{row}{column}; those outside the tile's shape stay unused.</summary>
    private struct DotSums<TVector> where TVector : struct
    {
        public TVector S00, S01, S02, S03, S04;
        public TVector S10, S11, S12, S13, S14;
        public TVector S20, S21, S22, S23, S24;
        public TVector S30, S31, S32, S33, S34;

        /// <summary>s.S{r}{j}; with constant r and j (inlined) a plain field read.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Get(ref DotSums<TVector> s, int r, int j) => r switch
        {
            0 => j switch { 0 => s.S00, 1 => s.S01, 2 => s.S02, 3 => s.S03, _ => s.S04 },
            1 => j switch { 0 => s.S10, 1 => s.S11, 2 => s.S12, 3 => s.S13, _ => s.S14 },
            2 => j switch { 0 => s.S20, 1 => s.S21, 2 => s.S22, 3 => s.S23, _ => s.S24 },
            _ => j switch { 0 => s.S30, 1 => s.S31, 2 => s.S32, 3 => s.S33, _ => s.S34 },
        };
    }
}
