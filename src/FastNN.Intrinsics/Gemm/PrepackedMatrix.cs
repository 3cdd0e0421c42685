using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNN.Intrinsics;

/// <summary>
/// The right-hand operand op(B) (k×n) of a GEMM, packed once into the micro-panels that this process's GEMM path
/// streams, for products with a constant B such as the weights of a layer at inference (see
/// <see cref="Gemm.MultiplyPrepacked{T}"/>). Built by <see cref="Gemm.Prepack{T}"/>.
/// </summary>
/// <remarks>
/// <para>Layout, as the packed GEMM's own: depth is cut into blocks by the path's block sizes (KC, or all that is left when
/// that is at most KCMax); within a block, the columns of op(B) are cut into panels NR wide, each stored row-major
/// (<c>panel[p·NR + j] = op(B)[pc + p, q·NR + j]</c>), the last one zero-padded. The panels of one block lie one after the
/// other, so a product never repacks B, and a matrix-vector product streams each element once.</para>
/// <para>Thread safety: immutable once built; any number of threads may use one instance at the same time. Its memory
/// (k·n rounded up to whole panels, pinned) is released when the instance is collected.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed unsafe class PrepackedMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Alignment = 64;
    // Room to align the start, and one 256-bit vector of slack past the end for the spill of partial transposes (PackB).
    private static readonly int Slack = (Alignment + 32) / sizeof(T);
    private readonly T[] _buffer;
    private readonly int _start;
    private readonly int[] _blockDepths;
    private readonly int[] _blockOffsets;
    // This matrix's bit in each thread's sweep directions (see NextSweepReversed).
    private readonly int _sweepBit = Interlocked.Increment(ref s_matrices) & 63;
    private static int s_matrices;
    [ThreadStatic]
    private static ulong t_sweeps;

    internal PrepackedMatrix(int k, int n, IsaPath path, BlockSizes sizes)
    {
        K = k;
        N = n;
        Path = path;
        Sizes = sizes;
        Panels = (n + sizes.NR - 1) / sizes.NR;
        var depths = new List<int>();
        for (int pc = 0, kc; pc < k; pc += kc)
        {
            kc = k - pc <= sizes.KCMax ? k - pc : sizes.KC;
            depths.Add(kc);
        }
        _blockDepths = [.. depths];
        _blockOffsets = new int[_blockDepths.Length];
        // Gemm.Prepack refuses a B whose packed length passes MaxLength: these sums fit an int.
        int length = 0;
        for (int b = 0; b < _blockDepths.Length; b++)
        {
            _blockOffsets[b] = length;
            length += _blockDepths[b] * Panels * sizes.NR;
        }
        _buffer = GC.AllocateArray<T>(length + Slack, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));
        _start = (int)(((address + Alignment - 1) & ~(nint)(Alignment - 1)) - address) / sizeof(T);
        Length = length;
    }

    /// <summary>The most elements one packed matrix holds: one array, less the slack.</summary>
    internal static int MaxLength => Array.MaxLength - Slack;

    /// <summary>Elements a k×n op(B) takes in panels <paramref name="nr"/> wide: k rows of whole panels.</summary>
    internal static long LengthFor(int k, int n, int nr) => k * (((long)n + nr - 1) / nr * nr);

    /// <summary>Rows of op(B): the depth k of the products.</summary>
    public int K { get; }

    /// <summary>Columns of op(B): the columns n of the products.</summary>
    public int N { get; }

    /// <summary>The instruction-set path the panels were laid out for (always <see cref="Isa.Path"/>).</summary>
    public IsaPath Path { get; }

    /// <summary>Elements held, padding included: k·n rounded up to whole panels.</summary>
    public int Length { get; }

    /// <summary>
    /// Elements of working memory <see cref="Gemm.MultiplyPrepacked{T}"/> needs on this path (for packing blocks of A
    /// where the path's kernel cannot read A in place); 0 where it needs none.
    /// </summary>
    public int WorkspaceLength => Gemm.PrepackedWorkspaceLength<T>(Sizes, K);

    internal BlockSizes Sizes { get; }

    /// <summary>Panels per depth block: n / NR rounded up.</summary>
    internal int Panels { get; }

    internal int BlockCount => _blockDepths.Length;

    internal int BlockDepth(int block) => _blockDepths[block];

    /// <summary>
    /// Whether this pass of the panel-rows kernel goes over the panels right to left: every other call on a thread does.
    /// Only the order in which columns are computed changes, never their values. The direction is kept per thread (a bit
    /// per matrix, shared by matrices 64 apart, which then merely alternate less), not in this shared instance: two
    /// cores writing a counter here on every call made the line holding it, and the fields every call reads, bounce
    /// between them (8 threads on 2 cores: 1.66x one thread's calls instead of 1.93x).
    /// </summary>
    internal bool NextSweepReversed() => ((t_sweeps ^= 1UL << _sweepBit) >> _sweepBit & 1) == 0;

    /// <summary>The first of the panels of depth block <paramref name="block"/>; valid while this instance is alive.</summary>
    internal T* Block(int block) => (T*)Unsafe.AsPointer(ref _buffer[_start + _blockOffsets[block]]);
}
