namespace FastNN.Benchmarks.Gemm;

/// <summary>One GEMM problem: C[m, n] = op(A) * op(B) with op(A) m×k and op(B) k×n, row-major.</summary>
/// <param name="Name">What the problem is, e.g. "fc1 fwd b64".</param>
/// <remarks>Ordered by flop count, so summaries list problems from small to large.</remarks>
public sealed record GemmShape(string Name, bool TransposeA, bool TransposeB, int M, int N, int K) : IComparable<GemmShape>, IComparable
{
    /// <summary>2·m·n·k: one multiply and one add per term.</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>The square problem n×n×n, no transposes.</summary>
    public static GemmShape Square(int n) => new($"{n}^3", false, false, n, n, n);

    /// <summary>
    /// The three products of a Dense layer (weight W stored [out, in], as PyTorch) at a batch:
    /// forward Y = X·Wᵀ (NT), input gradient dX = dY·W (NN), weight gradient dW = dYᵀ·X (TN).
    /// </summary>
    public static IEnumerable<GemmShape> DenseLayer(string layer, int inputs, int outputs, int batch)
    {
        yield return new($"{layer} fwd b{batch}", false, true, batch, outputs, inputs);
        yield return new($"{layer} dX b{batch}", false, false, batch, inputs, outputs);
        yield return new($"{layer} dW b{batch}", true, false, outputs, inputs, batch);
    }

    /// <inheritdoc/>
    public int CompareTo(GemmShape? other)
    {
        if (other is null)
            return 1;
        int byFlops = Flops.CompareTo(other.Flops);
        return byFlops != 0 ? byFlops : string.CompareOrdinal(ToString(), other.ToString());
    }

    /// <inheritdoc/>
    public int CompareTo(object? obj) => CompareTo(obj as GemmShape);

    /// <summary>Short, so the summary table stays readable: "fc1 fwd b64 NT 64x256x784".</summary>
    public override string ToString() =>
        $"{Name} {(TransposeA ? 'T' : 'N')}{(TransposeB ? 'T' : 'N')} {M}x{N}x{K}";
}
