using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>
/// What the dot-product path of the GEMM (<c>Gemm.SmallDot</c>, C = alpha·A·Bᵀ + beta·C with lanes along k) needs of a
/// vector width besides <see cref="IVectorWidth{T, TVector}"/>: the tile its registers hold, a load of a row's last
/// partial vector that reads nothing past the row, and the steps of the tree that reduces a tile's accumulators.
/// </summary>
/// <remarks>
/// <para>The tree. A vector's lanes fall in 128-bit groups (<see cref="Groups"/> of them, 16 / sizeof(T) lanes each;
/// the scalar width has one group of one lane). <see cref="FoldColumn"/> takes the four row accumulators of a column
/// of the tile and adds each one's groups together, ((g0 + g2) + (g1 + g3)) for four groups, (g0 + g1) for two, into
/// one group per row; <see cref="LaneSums"/> then adds up the lanes of each group, ((e0 + e2) + (e1 + e3)) for four
/// lanes, (e0 + e1) for two, for as many columns at once as a group has lanes. Each sum takes the same additions in the
/// same order whatever its row and column in the tile, and whichever accumulators stand in for rows or columns a
/// smaller tile lacks, so a row of C never depends on the tile it falls in.</para>
/// <para>Thread safety: stateless static members; safe on any thread.</para>
/// </remarks>
internal unsafe interface IDotWidth<T, TVector> : IVectorWidth<T, TVector>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
{
    /// <summary>
    /// Columns of a dot-product tile of <paramref name="rows"/> (1-4) rows: with one accumulator per element, the rows'
    /// A vectors and a B vector, as many as the registers hold (32 on AVX-512, 16 otherwise). At most 5.
    /// </summary>
    static abstract int DotColumns(int rows);

    /// <summary>Columns of C whose rows of B are kept in L1 while all of A passes: a multiple of every <see cref="DotColumns"/>.</summary>
    static abstract int DotStrip { get; }

    /// <summary>128-bit groups per vector: 4, 2 or 1 (the scalar width: 1).</summary>
    static abstract int Groups { get; }

    /// <summary>The lane mask <see cref="LoadFirst"/> takes for its first <paramref name="count"/> lanes (0 &lt; count &lt; Count).</summary>
    static abstract TVector FirstLanes(int count);

    /// <summary>
    /// Lanes 0..count-1 from <paramref name="p"/>, zero above; nothing at or past p + count is read.
    /// <paramref name="mask"/> is <see cref="FirstLanes"/>(<paramref name="count"/>).
    /// </summary>
    static abstract TVector LoadFirst(T* p, TVector mask, int count);

    /// <summary>
    /// Set <paramref name="set"/> (0 ≤ set &lt; 4 / Groups) of a column's four row accumulators folded to one
    /// 128-bit group per row: group g of set s holds row s·Groups + g.
    /// </summary>
    static abstract TVector FoldColumn(TVector r0, TVector r1, TVector r2, TVector r3, int set);

    /// <summary>In every group: lane j := the sum of the lanes of v_j's group, for j below the lanes of a group (the other vectors are not read).</summary>
    static abstract TVector LaneSums(TVector v0, TVector v1, TVector v2, TVector v3);

    /// <summary>
    /// c[j] := beta·c[j] + x_j for the first <paramref name="count"/> lanes x_j of group <paramref name="group"/>
    /// (count at most the lanes of a group); c is not read when beta is zero.
    /// </summary>
    static abstract void StoreGroup(TVector x, int group, T* c, int count, T beta);
}
