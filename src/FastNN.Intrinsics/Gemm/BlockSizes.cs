using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>Cache blocking of the packed GEMM for one (instruction-set path, element type), as BLIS's <c>bli_cntx_init_&lt;arch&gt;.c</c>.</summary>
/// <param name="MR">Micro-tile rows: must equal the path's kernel <see cref="IMicroKernel{T}.MR"/>.</param>
/// <param name="NR">Micro-tile columns: must equal the path's kernel <see cref="IMicroKernel{T}.NR"/>.</param>
/// <param name="MC">Rows of a block of A (a multiple of MR), packed or read in place: MC×KC elements stay in L2.</param>
/// <param name="KC">Depth of a packed block (the rank of each update).</param>
/// <param name="KCMax">When what is left of k is at most this, it is taken in one block instead of KC plus a thin remainder.</param>
/// <param name="NC">Columns of a packed block of B (a multiple of NR): KC×NC elements stay in L3.</param>
/// <remarks>
/// <para>Cache sizes assumed (this machine's AMD EPYC Zen 4/5; Intel server cores are alike or larger): L1d 32-48 KiB and
/// L2 1 MiB per core, L3 32 MiB shared. A KC×NR micro-panel of B is reused across the ir loop; an MC×KC block of A
/// (192 KiB for float on the 256-bit path) from L2 across the jr loop; a KC×NC block of B from L2/L3 across the ic loop.
/// The values were measured here, not copied from BLIS's tables.</para>
/// <para>On AVX-512 the depth is large although the micro-panel of B (1024×32 float: 128 KiB) then streams from L2
/// rather than staying in L1: the kernel keeps its pace on that stream, while every rank-KC update is one more pass
/// reading and writing all of C, which at 1024³ and beyond comes from L3 or memory. MC shrinks to keep the MC×KC
/// block of A (96×1024 float, 48×1024 double: 384 KiB) in L2. Measured on Zen 5 (one thread, medians, OpenBLAS
/// alongside): KC 1024 against 512 +4-5% at 1024³ and 2048³ in float and double, 256³ and 512³ within the noise;
/// KC 512 against 256 before that +2-6% from 512³ up. The 256-bit and 128-bit paths took the same depth later, with
/// MC cut to 48 to keep their block of A in L2: alternated in one process against KC 256 (MC 192 or 96), AVX2 float
/// +2-5% at 1024³ and 2048³ and +2% at 512³, double +1-3% from 1024³, the 128-bit path float +2-3%; shapes up to
/// 256 within ±0.7%. The 128-bit double kernel gained nothing and keeps KC 256.</para>
/// </remarks>
internal readonly record struct BlockSizes(int MR, int NR, int MC, int KC, int KCMax, int NC)
{
    //                                               MR  NR   MC    KC  KCMax    NC
    private static readonly BlockSizes Float512 = new(8, 32, 96, 1024, 1280, 1024);
    private static readonly BlockSizes Double512 = new(8, 16, 48, 1024, 1280, 512);
    private static readonly BlockSizes Float256 = new(6, 16, 48, 1024, 1280, 1024);
    private static readonly BlockSizes Double256 = new(6, 8, 48, 1024, 1280, 512);
    private static readonly BlockSizes Float128 = new(6, 8, 48, 1024, 1280, 512);
    private static readonly BlockSizes Double128 = new(6, 4, 96, 256, 384, 512);
    private static readonly BlockSizes FloatScalar = new(4, 4, 64, 256, 384, 256);
    private static readonly BlockSizes DoubleScalar = new(4, 4, 64, 256, 384, 256);

    /// <summary>
    /// Calls with m·n·k at most this take the unpacked small path (Vector512 only). Measured here: the small path wins
    /// up to about 96³ (80³: 161 against 127 GFLOP/s packed) and loses from 128³ (168 against 187).
    /// </summary>
    public const long SmallMaxVolume = 96 * 96 * 96;

    /// <summary>The same limit when B is stored n×k: the small path must then transpose B first, and 128³ TT fell from 167 to 95 GFLOP/s.</summary>
    public const long SmallMaxVolumeTransposedB = 64 * 64 * 64;

    /// <summary>Calls at most one vector wide (n ≤ Vector512&lt;T&gt;.Count) with m·n·k at most this take the small path.</summary>
    public const long NarrowMaxVolume = 1L << 22;

    /// <summary>Calls with at most this many rows (8 row tiles of the small path) may skip packing whatever their volume (see <see cref="ShortMaxBytesB"/>).</summary>
    public const int ShortMaxRows = 64;

    /// <summary>... provided B (k×n) fits in this many bytes, the L2 of one core, so every row tile streams it from L2.</summary>
    public const long ShortMaxBytesB = 1 << 20;

    /// <summary>Deepest op(A) = Aᵀ the AVX-512 float packed path reads in place rather than packing (see Gemm.ReadsAInSmallTiles).</summary>
    public const int TransposedAInPlaceMaxDepth = 256;

    /// <summary>Most rows of C for which the 6×2 kernel reads B where it lies rather than packing it (see Gemm.ReadsBUnpacked).</summary>
    public const int UnpackedBMaxRows = 128;

    /// <summary>Deepest B the 6×2 kernel reads where it lies rather than packing it (see Gemm.ReadsBUnpacked).</summary>
    public const int UnpackedBMaxDepth = 256;

    /// <summary>Work (2·m·n·k flops) a call needs per thread before another thread joins: about 20 µs of one core, well above the cost of waking a worker.</summary>
    public const long MinFlopsPerThread = 2_000_000;

    /// <summary>The block sizes of <paramref name="path"/> for element type <typeparamref name="T"/>.</summary>
    public static BlockSizes For<T>(IsaPath path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool isFloat = typeof(T) == typeof(float);
        return path switch
        {
            IsaPath.Vector512 => isFloat ? Float512 : Double512,
            IsaPath.Vector256 => isFloat ? Float256 : Double256,
            IsaPath.Vector128 => isFloat ? Float128 : Double128,
            _ => isFloat ? FloatScalar : DoubleScalar,
        };
    }

    /// <summary>Whether these sizes fit kernel <typeparamref name="TKernel"/>: same MR and NR, MC % MR == 0, NC % NR == 0, KC ≤ KCMax.</summary>
    public bool Fits<T, TKernel>() where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T> =>
        MR == TKernel.MR && NR == TKernel.NR && MC % MR == 0 && NC % NR == 0 && 0 < KC && KC <= KCMax;
}
