using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>Cache blocking of the packed GEMM for one micro-kernel and element type, derived from the caches the process finds.</summary>
/// <param name="MR">Micro-tile rows: the kernel's <see cref="IMicroKernel{T}.MR"/>.</param>
/// <param name="NR">Micro-tile columns: the kernel's <see cref="IMicroKernel{T}.NR"/>.</param>
/// <param name="MC">Rows of a block of A (a multiple of MR), packed or read in place, kept in L2.</param>
/// <param name="KC">Depth of a block: the rank of each update; a KC×NR micro-panel of B̃ is kept in L1.</param>
/// <param name="KCMax">When what is left of k is at most this, it is taken in one block instead of KC plus a thin remainder.</param>
/// <param name="NC">Columns of a packed block of B (a multiple of NR), kept in L3.</param>
/// <remarks>
/// <para>The analytical model of Low, Igual, Smith and Quintana-Ortí, "Analytical Modeling Is Enough for
/// High-Performance BLIS" (ACM TOMS 43(2), 2016), applied to each micro-kernel with the cache sizes and
/// associativities of <see cref="CacheHierarchy.Current"/>; <see cref="Model"/> states its three constraints.
/// <see cref="BlockingOverrides"/> replaces them on the microarchitectures where a measurement beat the model, with
/// the figures; <c>FASTNN_GEMM_BLOCKING=MC,KC,NC</c> replaces either for experiments (MC and NC rounded down to
/// multiples of MR and NR, KCMax = KC). A value that is not three positive integers, or whose working memory
/// (<see cref="WorkspaceBytes"/>) would not fit one array (2 GiB), is ignored, without a message: the derived sizes
/// run, rather than every GEMM call of the process failing on an experiment's typo.</para>
/// </remarks>
internal readonly record struct BlockSizes(int MR, int NR, int MC, int KC, int KCMax, int NC)
{
    /// <summary>
    /// The most bytes of one packed block of B (KC·NC elements): NC is cut to stay within it. A wider block only saves
    /// re-reading A, once per NC columns, which at NC in the thousands is well under 1% of the traffic; this bounds
    /// the workspace a call needs (<see cref="Gemm.MaxWorkspaceBytes{T}"/>).
    /// </summary>
    public const long MaxPackedBBytes = 4L << 20;

    /// <summary>
    /// Calls with m·n·k at most this take the unpacked small path. Measured (AVX-512): the small path wins up to
    /// about 96³ (80³: 161 against 127 GFLOP/s packed) and loses from 128³ (168 against 187).
    /// </summary>
    public const long SmallMaxVolume = 96 * 96 * 96;

    /// <summary>The same limit when B is stored n×k: the small path must then transpose B first, and 128³ TT fell from 167 to 95 GFLOP/s.</summary>
    public const long SmallMaxVolumeTransposedB = 64 * 64 * 64;

    /// <summary>Calls at most one vector wide (n ≤ NR / 2) with m·n·k at most this take the small path.</summary>
    public const long NarrowMaxVolume = 1L << 22;

    /// <summary>
    /// A·Bᵀ calls with at most this many row tiles of the path's micro-kernel (MR rows each: 16 rows on AVX-512, 12 on
    /// AVX2 and 128-bit vectors, 8 scalar) take the dot-product path whatever their size (see Gemm.TakesDotPath). The
    /// dot path reads B where it lies; the kernel's paths first reorder it (a transposed copy or packed panels, about
    /// three passes over B) and pay that back only over their row tiles, each of which streams the reordered B once.
    /// Measured side by side (paired float-dot and double-dot sections, one thread, Zen 5, n×k = 256×784, 784×256 and
    /// 1024×1024; RESULTS.md "The dot-product path on every width"), dot path over the kernel's path, float / double:
    /// AVX-512 12 rows 1.37-2.29x / 1.15-1.59x, 16 rows 1.22-2.13x / 0.96-1.24x, 24 rows 1.15-1.57x / 0.83-1.21x, 64
    /// rows 0.85-1.11x / 0.68-0.91x; AVX2 12 rows 1.09-1.12x / 1.05-1.32x, 16 rows 1.02-1.11x / 0.95-1.09x, 24 rows
    /// 0.91-0.98x / 0.83-1.03x. On 128-bit vectors and the scalar path, which have no fused multiply-add on x64, the
    /// kernel gains little on dot products once B is reordered, and the dot path pays further than two tiles (see
    /// RESULTS.md): that gain is left to those fallback paths, for one rule on every path.
    /// </summary>
    public const int ShortDotRowTiles = 2;

    /// <summary>Calls with at most this many rows (8 row tiles of the AVX-512 kernel) may skip packing whatever their volume, provided B fits in L2 (see Gemm.IsShort).</summary>
    public const int ShortMaxRows = 64;

    /// <summary>Deepest op(A) = Aᵀ the AVX-512 float packed path reads in place rather than packing (see Gemm.ReadsAInPlace).</summary>
    public const int TransposedAInPlaceMaxDepth = 256;

    /// <summary>Most rows of C for which the 6×2 kernel reads B where it lies rather than packing it (see Gemm.ReadsBInPlace).</summary>
    public const int UnpackedBMaxRows = 128;

    /// <summary>Deepest B the 6×2 kernel reads where it lies rather than packing it (see Gemm.ReadsBInPlace).</summary>
    public const int UnpackedBMaxDepth = 256;

    /// <summary>Work (2·m·n·k flops) a call needs per thread before another thread joins: about 20 µs of one core, well above the cost of waking a worker.</summary>
    public const long MinFlopsPerThread = 2_000_000;

    // [path, 0 float / 1 double], filled on first use; tests and benchmarks may replace an entry (Use). Boxed: a
    // reference is written whole, where a BlockSizes? (seven fields) read while another thread wrote the first call's
    // sizes could be half written (present with KC and NC 0: a GEMM stepping through depth and columns by 0, forever).
    private static readonly StrongBox<BlockSizes>?[,] s_table = new StrongBox<BlockSizes>?[4, 2];

    // [path, 0 float / 1 double]: the model's KC, whatever overrides or experiments say.
    private static readonly int[,] s_l1Depth = new int[4, 2];

    /// <summary>The block sizes of <paramref name="path"/>'s kernel for <typeparamref name="T"/> on this machine.</summary>
    public static BlockSizes For<T>(IsaPath path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int element = typeof(T) == typeof(float) ? 0 : 1;
        return (s_table[(int)path, element] ??= new(Derive(path, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), CacheHierarchy.Current,
            BlockingOverrides.Current, Environment.GetEnvironmentVariable("FASTNN_GEMM_BLOCKING")))).Value;
    }

    /// <summary>
    /// The model's KC for <paramref name="path"/>'s kernel on this machine's caches (its L1 constraint), where an override
    /// may have chosen a deeper KC: the deepest block of a B read in place (see Gemm.ReadsBInPlace).
    /// </summary>
    public static int L1Depth<T>(IsaPath path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int element = typeof(T) == typeof(float) ? 0 : 1, size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        int depth = s_l1Depth[(int)path, element];
        if (depth == 0)
        {
            (int mr, int nr) = Tile(path, size);
            s_l1Depth[(int)path, element] = depth = Model(CacheHierarchy.Current, mr, nr, size).KC;
        }
        return depth;
    }

    /// <summary>These sizes with KC (and KCMax, a quarter past it) at most <paramref name="depth"/>.</summary>
    public BlockSizes WithDepthAtMost(int depth) =>
        KC <= depth ? this : this with { KC = depth, KCMax = depth + depth / 4 };

    /// <summary>Replaces the sizes of <paramref name="path"/> for <typeparamref name="T"/> (benchmarks comparing blockings in one process); null restores the derived ones.</summary>
    internal static void Use<T>(IsaPath path, BlockSizes? sizes) where T : unmanaged, IFloatingPointIeee754<T> =>
        s_table[(int)path, typeof(T) == typeof(float) ? 0 : 1] = sizes is { } given ? new(given) : null;

    /// <summary>The micro-tile of <paramref name="path"/>'s kernel for elements of <paramref name="elementBytes"/> bytes.</summary>
    public static (int MR, int NR) Tile(IsaPath path, int elementBytes) => path switch
    {
        IsaPath.Vector512 => (8, 2 * 64 / elementBytes),
        IsaPath.Vector256 => (6, 2 * 32 / elementBytes),
        IsaPath.Vector128 => (6, 2 * 16 / elementBytes),
        _ => (4, 4),
    };

    /// <summary>
    /// The sizes for <paramref name="path"/>: the experiment's when <paramref name="experiment"/> (MC,KC,NC) parses and its working memory fits one array,
    /// else <paramref name="microarchitecture"/>'s override where <see cref="BlockingOverrides"/> has one, else the model's.
    /// </summary>
    internal static BlockSizes Derive(IsaPath path, int elementBytes, CacheHierarchy caches, string? microarchitecture, string? experiment)
    {
        (int mr, int nr) = Tile(path, elementBytes);
        if (TryParseExperiment(experiment, mr, nr) is { } chosen && chosen.FitOneWorkspace(elementBytes))
            return chosen;
        if (BlockingOverrides.Find(microarchitecture, path, elementBytes) is { } o)
            return new BlockSizes(mr, nr, o.MC, o.KC, o.KC + o.KC / 4, o.NC);
        return Model(caches, mr, nr, elementBytes);
    }

    /// <summary>
    /// The analytical model (Low et al. 2016, section 4) for an MR×NR kernel on elements of
    /// <paramref name="elementBytes"/> bytes, with caches of W ways, each way <c>sets·line</c> bytes:
    /// <list type="number">
    /// <item>L1, KC: the KC×NR micro-panel of B̃ stays in L1 while the MR×KC micro-panels of Ã stream through it (the
    /// ir loop). Ã takes C_A = ⌊(W₁ − 1) / (1 + NR/MR)⌋ ways, B̃ NR/MR times as many, one way stays free for the
    /// next panel and C; KC fills Ã's ways: KC = ⌊C_A·way₁ / (MR·S)⌋.</item>
    /// <item>L2, MC: the MC×KC block of Ã stays in L2 while micro-panels of B̃ (⌈KC·NR·S / way₂⌉ ways) and C pass
    /// through: Ã takes the other ways but one, MC = ⌊C_Ã·way₂ / (KC·S)⌋, rounded down to a multiple of MR.</item>
    /// <item>L3, NC: the KC×NC block of B̃ stays in this core's share of L3 (the cores sharing it each keep one block),
    /// beside the block of Ã where L3 is inclusive: NC = ⌊C_B̃·way₃ / (KC·S)⌋ with C_B̃ = W₃ − 1, less
    /// ⌈MC·KC·S / way₃⌉ if inclusive, rounded down to a multiple of NR and cut to <see cref="MaxPackedBBytes"/>;
    /// without an L3, that cut alone. (The paper's caches were inclusive; the L3 of Intel's server cores since
    /// Skylake and of AMD's Zen cores is not, and CPUID says so.)</item>
    /// </list>
    /// KCMax is KC·5/4, as BLIS's maximum block sizes, so a depth up to a quarter past KC is one block.
    /// </summary>
    public static BlockSizes Model(CacheHierarchy caches, int mr, int nr, int elementBytes)
    {
        long s = elementBytes;
        CacheLevel l1 = caches.L1, l2 = caches.L2;

        long waysA1 = Math.Max(1, (l1.Ways - 1) * mr / (mr + nr));
        int kc = (int)Math.Max(1, waysA1 * l1.WayBytes / (mr * s));

        long waysB2 = CeilDiv(kc * nr * s, l2.WayBytes);
        long waysA2 = Math.Max(1, l2.Ways - 1 - waysB2);
        int mc = (int)Math.Max(mr, waysA2 * l2.WayBytes / (kc * s) / mr * mr);

        long ncCap = Math.Max(nr, MaxPackedBBytes / (kc * s) / nr * nr);
        int nc = (int)ncCap;
        if (caches.L3 is { } l3)
        {
            int cores = Math.Max(1, l3.SharedBy / Math.Max(1, l1.SharedBy));
            long wayBytes3 = l3.WayBytes / cores;
            long waysA3 = l3.Inclusive ? CeilDiv(mc * kc * s, wayBytes3) : 0;
            long waysB3 = Math.Max(1, l3.Ways - 1 - waysA3);
            nc = (int)Math.Clamp(waysB3 * wayBytes3 / (kc * s) / nr * nr, nr, ncCap);
        }
        return new BlockSizes(mr, nr, mc, kc, kc + kc / 4, nc);
    }

    /// <summary>"MC,KC,NC" as positive integers, MC and NC rounded down to whole tiles; null when absent or malformed.</summary>
    internal static BlockSizes? TryParseExperiment(string? text, int mr, int nr)
    {
        string[] parts = text?.Split(',', StringSplitOptions.TrimEntries) ?? [];
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int mc)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int kc)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int nc)
            || mc <= 0 || kc <= 0 || nc <= 0)
            return null;
        return new BlockSizes(mr, nr, Math.Max(mr, mc / mr * mr), kc, kc, Math.Max(nr, nc / nr * nr));
    }

    /// <summary>Whether these sizes fit kernel <typeparamref name="TKernel"/>: same MR and NR, MC % MR == 0, NC % NR == 0, KC ≤ KCMax.</summary>
    public bool Fits<T, TKernel>() where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T> =>
        MR == TKernel.MR && NR == TKernel.NR && MC % MR == 0 && NC % NR == 0 && 0 < KC && KC <= KCMax;

    /// <summary>
    /// Whether a thread's working memory at these sizes (<see cref="WorkspaceBytes"/>) fits one workspace, a single
    /// array: an experiment's sizes past it would fail every large GEMM allocating its working memory.
    /// </summary>
    private bool FitOneWorkspace(int elementBytes)
    {
        long most = Workspace.MaxBytes / elementBytes;
        return (long)MC * KCMax <= most && (long)KCMax * NC <= most && WorkspaceBytes(elementBytes) <= Workspace.MaxBytes;
    }

    /// <summary>
    /// The most working memory one thread uses for one call at these sizes: a packed block of A (MC·KCMax elements)
    /// and one of B (KCMax·NC), or the small path's copy of B (up to <see cref="MaxPackedBBytes"/>) if larger.
    /// </summary>
    public long WorkspaceBytes(int elementBytes) =>
        Workspace.BytesFor((long)MC * KCMax, Math.Max((long)KCMax * NC, MaxPackedBBytes / elementBytes), elementBytes);

    private static long CeilDiv(long x, long y) => (x + y - 1) / y;
}
