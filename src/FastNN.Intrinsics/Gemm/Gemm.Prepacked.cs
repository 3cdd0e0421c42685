using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Products of at most this many rows take the panel-rows kernel (no packing, the bias and activation applied in
    /// registers); taller ones the packed GEMM on the prepacked panels. Every GEMM kernel runs a short row tile at the
    /// tile's own height, so the GEMM pays for m rows, not MR, and reads B once for any m up to MR. The panel kernel
    /// reads B once only where one of its tiles (4, 2 or 1 rows) covers m: at 1 and 2 rows it streams four or two panels
    /// side by side where the GEMM streams one, and wins; at 3 it reads B twice, and at 4 its one tile holds as many
    /// accumulators as the GEMM's and does the same work, so the GEMM takes over from 3 rows. Measured at batches 1 to
    /// 16 on three networks on the AVX-512 and AVX2 paths: benchmarks/RESULTS.md, "Inference, part 2".
    /// </summary>
    internal const int PanelRowsMaxRows = 2;

    /// <summary>Packs op(B) (k×n) once into the micro-panels of this process's GEMM path, for <see cref="MultiplyPrepacked{T}"/>.</summary>
    /// <remarks>For the weight W (<c>[out, in]</c>, as <c>nn.Linear</c>) of <c>y = x Wᵀ + b</c>: <c>Prepack(true, in, out, W, in)</c>.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="transposeB">Whether op(B) = Bᵀ: B is then stored n×k.</param>
    /// <param name="k">Rows of op(B).</param>
    /// <param name="n">Columns of op(B).</param>
    /// <param name="b">B, row-major, with row stride <paramref name="ldb"/>; copied, so the caller may change it afterwards.</param>
    /// <param name="ldb">Row stride of B: at least max(1, n) (max(1, k) when transposed).</param>
    /// <returns>The packed matrix: immutable, shareable between threads.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k or n is negative, or ldb is smaller than a row of B.</exception>
    /// <exception cref="ArgumentException"><paramref name="b"/> is shorter than the matrix it must hold, or op(B) packed (k·n
    /// rounded up to whole panels, see <see cref="PrepackedMatrix{T}"/>) would hold more elements than one array can.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static PrepackedMatrix<T> Prepack<T>(bool transposeB, int k, int n, ReadOnlySpan<T> b, int ldb)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmArguments.ElementType<T>();
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        (int rows, int cols) = transposeB ? (n, k) : (k, n);
        if (ldb < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(nameof(ldb), ldb, $"ldb must be at least {Math.Max(1, cols)}: B is stored {rows}x{cols}{(transposeB ? " (transposed)" : "")}.");
        long need = GemmArguments.Required(rows, cols, ldb);
        if (b.Length < need)
            throw new ArgumentException($"B ({rows}x{cols}, ldb {ldb}) needs {need} elements but the span has {b.Length}.", nameof(b));
        // Every row of op(B) is padded to whole panels: a B of few columns takes up to NR times its own size.
        int nr = BlockSizes.For<T>(Isa.Path).NR;
        long packedLength = PrepackedMatrix<T>.LengthFor(k, n, nr);
        if (packedLength > PrepackedMatrix<T>.MaxLength)
            throw new ArgumentException($"B ({k}x{n}) packed into panels of {nr} columns takes {packedLength} elements, more than one array holds ({PrepackedMatrix<T>.MaxLength}).", nameof(b));
        return Isa.Path switch
        {
            IsaPath.Vector512 => Prepack<T, MicroKernel512<T>>(transposeB, k, n, b, ldb),
            IsaPath.Vector256 => Prepack<T, MicroKernel6x2<T, Vector256<T>, Width256<T>>>(transposeB, k, n, b, ldb),
            IsaPath.Vector128 => Prepack<T, MicroKernel6x2<T, Vector128<T>, Width128<T>>>(transposeB, k, n, b, ldb),
            _ => Prepack<T, MicroKernelScalar<T>>(transposeB, k, n, b, ldb),
        };
    }

    /// <summary>
    /// <c>C = f(A·op(B) + bias)</c> with op(B) prepacked (<see cref="Prepack{T}"/>): the product of a layer at inference,
    /// its bias and activation fused.
    /// </summary>
    /// <remarks>
    /// <para>One row (a matrix-vector product, memory-bound: each element of B is read once) and a few rows run on the
    /// panel-rows kernel, with the bias and activation applied in registers; taller products run on the packed GEMM with
    /// B's panels as they lie, then the bias and activation in one pass over C. B is never repacked and nothing is
    /// allocated per call (where the path's kernel cannot read A in place, the packed GEMM packs blocks of A into the
    /// workspace); everything runs on the calling thread, so concurrent calls with their own C and workspace may share
    /// A, B and the bias.</para>
    /// <para>Every element of C gets the same operations whichever kernel computes it (a chain of multiply-adds down each
    /// depth block of B, the blocks added in order, then f(z + bias) at the path's vector width), so a row of C does not
    /// depend on the number of rows in the call. Results may differ across instruction-set paths in the last bits, and
    /// from <see cref="Multiply{T}"/> followed by <see cref="Rows.AddBiasActivation{T}"/> by the rounding of sums taken in
    /// another order.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="a">A (m×k), row-major, with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A: at least max(1, k).</param>
    /// <param name="b">op(B), k×n, prepacked for this process's path.</param>
    /// <param name="bias">n elements added to every row, or empty for none.</param>
    /// <param name="activation">f, applied after the bias (<see cref="Activation.Identity"/> for none).</param>
    /// <param name="c">C (m×n), row-major, with row stride <paramref name="ldc"/>: overwritten, never read for its old values.</param>
    /// <param name="ldc">Row stride of C: at least max(1, n).</param>
    /// <param name="workspace">Working memory of at least <see cref="PrepackedMatrix{T}.WorkspaceLength"/> elements (may be empty when that is 0), not overlapping A, C or the bias.</param>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">m is negative, a leading dimension is smaller than its row, the activation kind is
    /// undefined, or the activation's parameter is out of its range in <typeparamref name="T"/> (see <see cref="Rows.AddBiasActivation{T}"/>).</exception>
    /// <exception cref="ArgumentException">A span is shorter than the matrix it must hold, the bias has neither n elements nor none, C overlaps A or the bias, or the workspace is too short or overlaps A, C or the bias.</exception>
    public static void MultiplyPrepacked<T>(int m, ReadOnlySpan<T> a, int lda, PrepackedMatrix<T> b, ReadOnlySpan<T> bias,
        Activation activation, Span<T> c, int ldc, Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MultiplyPrepackedWithCutoff(m, a, lda, b, bias, activation, c, ldc, workspace, PanelRowsMaxRows);

    /// <summary><see cref="MultiplyPrepacked{T}"/> with the kernel chosen by the caller: the panel-rows kernel up to <paramref name="panelRowsMaxRows"/> rows, the
    /// packed GEMM above (the tests and the benchmark that measures where one overtakes the other).</summary>
    internal static void MultiplyPrepackedWithCutoff<T>(int m, ReadOnlySpan<T> a, int lda, PrepackedMatrix<T> b, ReadOnlySpan<T> bias,
        Activation activation, Span<T> c, int ldc, Span<T> workspace, int panelRowsMaxRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int k = b.K, n = b.N;
        if (lda < Math.Max(1, k))
            throw new ArgumentOutOfRangeException(nameof(lda), lda, $"lda must be at least {Math.Max(1, k)}: A is {m}x{k}.");
        if (ldc < Math.Max(1, n))
            throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"ldc must be at least {Math.Max(1, n)}: C is {m}x{n}.");
        long needA = GemmArguments.Required(m, k, lda), needC = GemmArguments.Required(m, n, ldc);
        if (a.Length < needA)
            throw new ArgumentException($"A ({m}x{k}, lda {lda}) needs {needA} elements but the span has {a.Length}.", nameof(a));
        if (c.Length < needC)
            throw new ArgumentException($"C ({m}x{n}, ldc {ldc}) needs {needC} elements but the span has {c.Length}.", nameof(c));
        if (bias.Length != n && !bias.IsEmpty)
            throw new ArgumentException($"bias has {bias.Length} elements but C has {n} columns: it needs {n} (or 0 for no bias).", nameof(bias));
        ReadOnlySpan<T> usedC = c[..(int)needC];
        if (needA > 0 && usedC.Overlaps(a[..(int)needA]))
            throw new ArgumentException("C overlaps A; the output must not share memory with an input.", nameof(c));
        if (usedC.Overlaps(bias))
            throw new ArgumentException("C overlaps the bias; the output must not share memory with an input.", nameof(c));
        if (workspace.Length < b.WorkspaceLength)
            throw new ArgumentException($"The workspace has {workspace.Length} elements but this path needs {b.WorkspaceLength} (PrepackedMatrix.WorkspaceLength).", nameof(workspace));
        // Checked whether or not this path uses it, so that a call valid on one path is valid on all.
        if (workspace.Overlaps(usedC) || (needA > 0 && workspace.Overlaps(a[..(int)needA])) || workspace.Overlaps(bias))
            throw new ArgumentException("The workspace overlaps A, C or the bias; it must not share memory with them.", nameof(workspace));
        T parameter = activation.ParameterIn<T>(nameof(activation));
        if (m == 0 || n == 0)
            return;
        fixed (T* pa = a, pb = bias, pc = c, pw = workspace)
        {
            var call = new PrepackedCall<T>(m, pa, lda, b, bias.IsEmpty ? null : pb, pc, ldc, pw, m <= panelRowsMaxRows);
            switch (activation.Kind)
            {
                case ActivationKind.Identity: ByPath(call, default(IdentityOperator<T>)); break;
                case ActivationKind.Sigmoid: ByPath(call, default(SigmoidOperator<T>)); break;
                case ActivationKind.Tanh: ByPath(call, default(TanhOperator<T>)); break;
                case ActivationKind.Relu: ByPath(call, default(ReluOperator<T>)); break;
                case ActivationKind.LeakyRelu: ByPath(call, new LeakyReluOperator<T>(parameter)); break;
                case ActivationKind.Elu: ByPath(call, new EluOperator<T>(parameter)); break;
                case ActivationKind.Gelu: ByPath(call, default(GeluOperator<T>)); break;
                case ActivationKind.GeluTanh: ByPath(call, default(GeluTanhOperator<T>)); break;
                case ActivationKind.Silu: ByPath(call, default(SiluOperator<T>)); break;
                case ActivationKind.Softplus: ByPath(call, new SoftplusOperator<T>(parameter, T.CreateTruncating(activation.Threshold))); break;
                default: throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation kind.");
            }
        }
        GC.KeepAlive(b);
    }

    /// <summary>
    /// Elements of workspace <see cref="MultiplyPrepacked{T}"/> needs with these block sizes and depth: a block of A to
    /// pack, aligned, where the packed GEMM would pack A (see <see cref="ReadsAInPlace"/>); none where it reads A in place.
    /// </summary>
    internal static int PrepackedWorkspaceLength<T>(BlockSizes sizes, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = new GemmOperands<T>(false, false, 0, 0, k, T.One, null, 1, null, 1, T.Zero, null, 1);
        return ReadsAInPlace(a, sizes) ? 0 : sizes.MC * sizes.KCMax + (64 + 32) / sizeof(T);
    }

    /// <summary>One validated call of <see cref="MultiplyPrepacked{T}"/>, as pointers into the caller's pinned spans.</summary>
    private readonly struct PrepackedCall<T>(int m, T* a, nint lda, PrepackedMatrix<T> b, T* bias, T* c, nint ldc, T* workspace, bool panelRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public readonly int M = m;
        public readonly bool PanelRows = panelRows;
        public readonly T* A = a, Bias = bias, C = c, Workspace = workspace;
        public readonly nint Lda = lda, Ldc = ldc;
        public readonly PrepackedMatrix<T> B = b;
    }

    private static void ByPath<T, TOp>(in PrepackedCall<T> call, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T>
    {
        switch (Isa.Path)
        {
            case IsaPath.Vector512:
                Prepacked<T, MicroKernel512<T>, Width512<T>, Vector512<T>, TOp>(call, op);
                break;
            case IsaPath.Vector256:
                Prepacked<T, MicroKernel6x2<T, Vector256<T>, Width256<T>>, Width256<T>, Vector256<T>, TOp>(call, op);
                break;
            case IsaPath.Vector128:
                Prepacked<T, MicroKernel6x2<T, Vector128<T>, Width128<T>>, Width128<T>, Vector128<T>, TOp>(call, op);
                break;
            default:
                Prepacked<T, MicroKernelScalar<T>, ScalarWidth<T>, T, TOp>(call, op);
                break;
        }
    }

    private static void Prepacked<T, TKernel, TWidth, TVector, TOp>(in PrepackedCall<T> call, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct where TOp : struct, IUnaryOperator<T>
    {
        PrepackedMatrix<T> b = call.B;
        if (b.K == 0)
        {
            // No depth: C = f(0 + bias).
            for (int i = 0; i < call.M; i++)
                new Span<T>(call.C + i * call.Ldc, b.N).Clear();
        }
        else if (call.PanelRows)
        {
            PanelRows<T, TKernel, TWidth, TVector, TOp>(call.M, call.A, call.Lda, b, call.Bias, call.C, call.Ldc, op);
            return;
        }
        else
        {
            PrepackedGemm<T, TKernel>(call.M, call.A, call.Lda, b, call.C, call.Ldc, call.Workspace);
        }
        Epilogue.Rows<T, TWidth, TVector, TOp>(call.C, call.Ldc, call.M, b.N, call.Bias, op);
    }

    private static PrepackedMatrix<T> Prepack<T, TKernel>(bool transposeB, int k, int n, ReadOnlySpan<T> b, int ldb)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        var packed = new PrepackedMatrix<T>(k, n, Isa.Path, BlockSizes.For<T>(Isa.Path));
        if (n == 0)
            return packed;
        fixed (T* pb = b)
        {
            // The same operands the packed GEMM would see for B: op(B)[p, j] through GemmOperands.
            var op = new GemmOperands<T>(false, transposeB, 0, n, k, T.One, null, 1, pb, ldb, T.Zero, null, 1);
            for (int block = 0, pc = 0; block < packed.BlockCount; pc += packed.BlockDepth(block), block++)
                PackB<T, TKernel>(transposeB, op.OpB(pc, 0), ldb, packed.BlockDepth(block), n, packed.Block(block));
        }
        return packed;
    }

    /// <summary>
    /// The packed GEMM's loops (jc → pc → ic → jr → ir) over a prepacked B: each depth block's panels are where the
    /// driver would have packed them, so only A is handled as <see cref="Packed{T, TKernel}"/> handles it (read in place,
    /// or packed into <paramref name="workspace"/>). C = A·B, overwritten; single-threaded.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrepackedGemm<T, TKernel>(int m, T* a, nint lda, PrepackedMatrix<T> b, T* c, nint ldc, T* workspace)
        where T : unmanaged, IFloatingPointIeee754<T> where TKernel : struct, IMicroKernel<T>
    {
        BlockSizes sizes = b.Sizes;
        int n = b.N, mr = TKernel.MR;
        T* scratch = stackalloc T[TKernel.MR * TKernel.NR];
        T* packedA = (T*)(((nint)workspace + 63) & ~(nint)63);
        bool inPlaceA = ReadsAInPlace(new GemmOperands<T>(false, false, m, n, b.K, T.One, a, lda, null, n, T.Zero, c, ldc), sizes);
        // Stepped by the block taken, as the packed driver is: a step of NC (MC) never passes n (m) and so never wraps.
        for (int jc = 0, nc; jc < n; jc += nc)
        {
            nc = Math.Min(sizes.NC, n - jc);
            for (int block = 0, pc = 0; block < b.BlockCount; pc += b.BlockDepth(block), block++)
            {
                int kc = b.BlockDepth(block);
                T* panels = b.Block(block) + (nint)jc * kc;
                for (int ic = 0, mc; ic < m; ic += mc)
                {
                    mc = Math.Min(sizes.MC, m - ic);
                    TileGrid<T> grid = default;
                    grid.K = kc;
                    grid.Alpha = T.One;
                    // C is overwritten by the first depth block and accumulated into by the others.
                    grid.Beta = block == 0 ? T.Zero : T.One;
                    if (inPlaceA)
                    {
                        grid.A = a + ic * lda + pc;
                        grid.RowStepA = lda;
                        grid.DepthStepA = 1;
                        grid.TileStepA = mr * lda;
                    }
                    else
                    {
                        PackA<T, TKernel>(false, a + ic * lda + pc, lda, mc, kc, packedA);
                        grid.A = packedA;
                        grid.RowStepA = 1;
                        grid.DepthStepA = mr;
                        grid.TileStepA = mr * kc;
                    }
                    MacroKernel<T, TKernel>(mc, nc, grid, null, 0, panels, c + ic * ldc + jc, ldc, 1, scratch);
                }
            }
        }
    }
}
