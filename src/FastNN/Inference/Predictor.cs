using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Inference;

/// <summary>
/// A trained model made ready to serve: an immutable snapshot of a <see cref="Sequential{T}"/> in evaluation mode,
/// with every Dense weight laid out once for the kernels that stream it, that any number of threads may call at once
/// and that allocates nothing per call.
/// </summary>
/// <remarks>
/// <para>Each Dense layer and the element-wise activation after it (ReLU, LeakyReLU, ELU, GELU, SiLU, sigmoid, tanh,
/// softplus, PReLU with one slope) become one step, <c>y = f(x Wᵀ + b)</c>, on a weight prepacked at construction
/// (<see cref="Gemm.Prepack{T}"/>): one row is a matrix-vector product that reads each weight once, with the bias and
/// f applied in registers; a few rows share each weight read; taller batches run the packed GEMM on the prepacked
/// panels. Dropout is dropped (the identity in evaluation). Every other layer (normalization with its running
/// statistics, softmax, per-feature PReLU, Residual, Concat, your own) runs its own forward pass in evaluation mode
/// on a copy of its parameters and state.</para>
/// <para>Agreement: for each output row s of <c>Sequential&lt;T&gt;.Forward</c> in evaluation mode and p of
/// <see cref="Predict"/> on the same row, <c>|p − s| ≤ tol·(1 + max|s|)</c> element-wise, tol = 1e-5 for float and 1e-12
/// for double (tested for every layer type on every instruction-set path, batches 1 to 300). The two differ only
/// where the summation order of a product or an activation's vector width differs.</para>
/// <para>Determinism: a row's result does not depend on the other rows of the call, on the batch size, on how many
/// threads call at once or on how often it is called (bit for bit, on one instruction-set path). Every call runs on
/// the calling thread; throughput comes from concurrent callers.</para>
/// <para>Memory: the weights (once, prepacked), plus one workspace of <see cref="WorkspaceBytes"/> per call in flight,
/// kept for reuse up to <see cref="MaxCachedWorkspaces"/> (the most calls that ran at once) and released with the
/// predictor when it is collected. Batches larger than <see cref="ChunkRows"/> are run in chunks of that many rows,
/// so the workspace does not grow with the batch.</para>
/// <para>Thread safety: immutable and thread-safe; share one instance between all threads. The model it was built
/// from may be trained further or changed afterwards without affecting it.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Predictor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The default of <see cref="ChunkRows"/>: enough rows for the packed GEMM to run at full speed.</summary>
    public const int DefaultChunkRows = 256;

    private readonly InferenceStep<T>[] _steps;
    private readonly WorkspacePool<T> _pool;
    private readonly int _activationLength;
    private readonly int _scratchLength;

    /// <summary>Builds a predictor from a snapshot of <paramref name="model"/>'s parameters and state, in evaluation mode whatever its <see cref="Sequential{T}.Training"/>.</summary>
    /// <param name="model">The trained model; not changed, and not referenced afterwards except for its (immutable) layer objects.</param>
    /// <param name="chunkRows">The most rows one pass runs at once (default <see cref="DefaultChunkRows"/>); larger batches run in chunks. Sets the workspace size.</param>
    /// <param name="maxCachedWorkspaces">The most workspaces kept for reuse (default: 4 per processor, at least 16). Calls in flight beyond it allocate their own.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> is below 1.</exception>
    public Predictor(Sequential<T> model, int chunkRows = DefaultChunkRows, int? maxCachedWorkspaces = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        int cached = maxCachedWorkspaces ?? Math.Max(16, 4 * Environment.ProcessorCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(cached, 1, nameof(maxCachedWorkspaces));
        _steps = [.. Plan(model)];
        InputSize = model.InputSize;
        OutputSize = model.OutputSize;
        ChunkRows = chunkRows;
        // Two buffers take turns holding the activations between steps; the caller's spans are the first input and the last output.
        for (int s = 0; s + 1 < _steps.Length; s++)
            _activationLength = Math.Max(_activationLength, checked(chunkRows * _steps[s].OutputSize));
        foreach (InferenceStep<T> step in _steps)
            _scratchLength = Math.Max(_scratchLength, step.ScratchLength(chunkRows));
        _pool = new WorkspacePool<T>(checked(2 * _activationLength + _scratchLength), cached);
    }

    /// <summary>Features per input row.</summary>
    public int InputSize { get; }

    /// <summary>Features per output row.</summary>
    public int OutputSize { get; }

    /// <summary>The most rows one pass runs at once; larger batches are run in chunks of this many rows.</summary>
    public int ChunkRows { get; }

    /// <summary>Bytes of working memory one call in flight uses.</summary>
    public long WorkspaceBytes => (long)_pool.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>The most workspaces kept for reuse between calls.</summary>
    public int MaxCachedWorkspaces => _pool.Capacity;

    /// <summary>The steps the model became, one per line (such as <c>0 Linear + 1 ReLU: dense 784→256, fused</c>).</summary>
    public string Describe() => string.Join(Environment.NewLine, _steps.Select(s => $"{s.Name}: {s.InputSize}→{s.OutputSize}"));

    /// <summary>Runs the model on <paramref name="batch"/> rows in evaluation mode.</summary>
    /// <param name="input">The input, <c>[batch, InputSize]</c> row-major.</param>
    /// <param name="output">The output, <c>[batch, OutputSize]</c> row-major, overwritten; must not overlap <paramref name="input"/>.</param>
    /// <param name="batch">Rows (0 does nothing).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> or <paramref name="output"/> does not hold exactly batch rows, or they overlap.</exception>
    public void Predict(ReadOnlySpan<T> input, Span<T> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != (long)batch * InputSize)
            throw new ArgumentException($"input has {input.Length} elements but [{batch}, {InputSize}] needs {(long)batch * InputSize}.", nameof(input));
        if (output.Length != (long)batch * OutputSize)
            throw new ArgumentException($"output has {output.Length} elements but [{batch}, {OutputSize}] needs {(long)batch * OutputSize}.", nameof(output));
        if (input.Overlaps(output))
            throw new ArgumentException("output overlaps input; they must not share memory.", nameof(output));
        if (batch == 0)
            return;
        T[] workspace = _pool.Rent();
        try
        {
            for (int row = 0; row < batch; row += ChunkRows)
            {
                int rows = Math.Min(ChunkRows, batch - row);
                Run(input.Slice(row * InputSize, rows * InputSize), output.Slice(row * OutputSize, rows * OutputSize), rows, workspace);
            }
        }
        finally
        {
            _pool.Return(workspace);
        }
    }

    private void Run(ReadOnlySpan<T> input, Span<T> output, int rows, Span<T> workspace)
    {
        Span<T> even = workspace[.._activationLength], odd = workspace.Slice(_activationLength, _activationLength);
        Span<T> scratch = workspace.Slice(2 * _activationLength, _scratchLength);
        ReadOnlySpan<T> x = input;
        for (int s = 0; s < _steps.Length; s++)
        {
            InferenceStep<T> step = _steps[s];
            Span<T> y = s == _steps.Length - 1 ? output : (s % 2 == 0 ? even : odd)[..(rows * step.OutputSize)];
            step.Run(x, y, rows, scratch);
            x = y;
        }
    }

    /// <summary>The model's layers as steps: each Dense fused with the element-wise activation after it, Dropout dropped, the rest run as they are.</summary>
    private static List<InferenceStep<T>> Plan(Sequential<T> model)
    {
        var steps = new List<InferenceStep<T>>();
        IReadOnlyList<ILayer<T>> layers = model.Layers;
        ReadOnlySpan<T> parameters = model.Parameters, state = model.State;
        for (int j = 0; j < layers.Count; j++)
        {
            ILayer<T> layer = layers[j];
            (int parameterOffset, int parameterLength) = Range(model.ParameterTensors.Where(t => t.LayerIndex == j).Select(t => (t.Offset, t.Length)));
            (int stateOffset, int stateLength) = Range(model.StateTensors.Where(t => t.LayerIndex == j).Select(t => (t.Offset, t.Length)));
            ReadOnlySpan<T> own = parameters.Slice(parameterOffset, parameterLength);
            switch (layer)
            {
                case Dropout<T>:
                    continue;
                case Dense<T> dense:
                {
                    int weightLength = dense.OutputSize * dense.InputSize;
                    Activation activation = Activation.Identity;
                    string name = $"{j} Linear";
                    if (j + 1 < layers.Count && FusedActivation(layers[j + 1], model, j + 1) is { } fused)
                    {
                        activation = fused;
                        name += $" + {j + 1} {LayerName(layers[j + 1])}";
                        j++;
                    }
                    steps.Add(new DenseStep<T>(own[..weightLength], own[weightLength..], dense.InputSize, dense.OutputSize, activation, name));
                    break;
                }
                default:
                    steps.Add(new LayerStep<T>(layer, own, state.Slice(stateOffset, stateLength), $"{j} {LayerName(layer)}"));
                    break;
            }
        }
        if (steps.Count == 0) // only Dropout layers: the identity
            steps.Add(new LayerStep<T>(layers[0], default, default, $"0 {LayerName(layers[0])}"));
        return steps;
    }

    /// <summary>The activation a Dense step can apply in its kernel for layer j, or null when layer j is not one.</summary>
    private static Activation? FusedActivation(ILayer<T> layer, Sequential<T> model, int j) => layer switch
    {
        Relu<T> => Activation.Relu,
        LeakyRelu<T> l => Activation.LeakyRelu(l.NegativeSlope),
        Elu<T> e => Activation.Elu(e.Alpha),
        Gelu<T> g => g.TanhApproximation ? Activation.GeluTanh : Activation.Gelu,
        Silu<T> => Activation.Silu,
        Sigmoid<T> => Activation.Sigmoid,
        Tanh<T> => Activation.Tanh,
        Softplus<T> s => Activation.Softplus(s.Beta, s.Threshold),
        PRelu<T> { Slopes: 1 } => Activation.LeakyRelu(double.CreateTruncating(model.Parameters[model.ParameterTensors.First(t => t.LayerIndex == j).Offset])),
        _ => null,
    };

    private static (int Offset, int Length) Range(IEnumerable<(int Offset, int Length)> tensors)
    {
        int start = int.MaxValue, end = 0;
        foreach ((int offset, int length) in tensors)
        {
            start = Math.Min(start, offset);
            end = Math.Max(end, offset + length);
        }
        return start == int.MaxValue ? (0, 0) : (start, end - start);
    }

    private static string LayerName(ILayer<T> layer) => layer.GetType().Name.Split('`')[0];
}
