using System.Numerics;
using FastNN.Intrinsics;
using FastNN.IO;
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
/// softplus, PReLU with one finite slope) become one step, <c>y = f(x Wᵀ + b)</c>, on a weight prepacked at construction
/// (<see cref="Gemm.Prepack{T}"/>): one row is a matrix-vector product that reads each weight once, with the bias and
/// f applied in registers; a few rows share each weight read; taller batches run the packed GEMM on the prepacked
/// panels. Dropout is dropped (the identity in evaluation). The bodies of Residual and Concat blocks are planned the
/// same way, and a residual projection is prepacked too. Every other layer (normalization with its running
/// statistics, softmax, per-feature PReLU, your own) runs its own forward pass in evaluation mode on a copy of its
/// parameters and state.</para>
/// <para>Agreement: for each output row s of <c>Sequential&lt;T&gt;.Forward</c> in evaluation mode and p of
/// <see cref="Predict"/> on the same row, <c>|p − s| ≤ tol·(1 + max|s|)</c> element-wise, tol = 1e-5 for float and 1e-12
/// for double (tested for every layer type on every instruction-set path, batches 1 to 300). The two differ only
/// where the summation order of a product or an activation's vector width differs.</para>
/// <para>Model files: <see cref="Load"/> builds a predictor from a file saved by <see cref="ModelFile.Save{T}"/>, and
/// keeps what the file records about the model (<see cref="Info"/>): <see cref="PredictValues"/> and
/// <see cref="Classify(ReadOnlySpan{T}, Span{T}, Span{int}, int)"/> take features as the training data held them (the
/// file's input standardization applied inside) and return regression values in the target's own units, or class
/// probabilities and the most probable class (labels in <see cref="ClassLabels"/>). <see cref="Predict"/> stays the
/// model itself: standardized inputs in, raw outputs (logits, standardized values) out.</para>
/// <para>Determinism: a row's result does not depend on the other rows of the call, on the batch size, on how many
/// threads call at once or on how often it is called (bit for bit, on one instruction-set path). Every call runs on
/// the calling thread only, a layer's element-wise pass over a wide chunk included (never on FastNN's worker threads,
/// whatever <see cref="Parallelism.MaxThreads"/>); throughput comes from concurrent callers.</para>
/// <para>Memory: the weights (once, prepacked), plus one workspace of <see cref="WorkspaceBytes"/> per call in flight,
/// kept for reuse up to <see cref="MaxCachedWorkspaces"/> (the most calls that ran at once) and released with the
/// predictor when it is collected. Batches larger than <see cref="ChunkRows"/> are run in chunks of that many rows,
/// so the workspace does not grow with the batch.</para>
/// <para>Thread safety: immutable and thread-safe; share one instance between all threads. The model it was built
/// from may be trained further or changed afterwards without affecting it.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed partial class Predictor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The default of <see cref="ChunkRows"/>: enough rows for the packed GEMM to run at full speed. For a model whose
    /// rows are so wide (about 4 million elements) that a workspace for this many would not fit in an array, the default
    /// is lowered to the most rows that fit, down to 1.
    /// </summary>
    public const int DefaultChunkRows = 256;

    private readonly StepChain<T> _chain;
    private readonly WorkspacePool<T> _pool;
    // Where the task methods keep a chunk's standardized features and raw outputs, after the activations and scratch.
    private readonly int _featuresLength;
    private readonly int _outputsLength;

    /// <summary>Builds a predictor from a snapshot of <paramref name="model"/>'s parameters and state, in evaluation mode whatever its <see cref="Sequential{T}.Training"/>.</summary>
    /// <param name="model">The trained model; not changed, and not referenced afterwards except for its (immutable) layer objects.</param>
    /// <param name="chunkRows">The most rows one pass runs at once; larger batches run in chunks. Sets the workspace size. Null: <see cref="DefaultChunkRows"/>, or fewer when that many rows' workspace would not fit in an array.</param>
    /// <param name="maxCachedWorkspaces">The most workspaces kept for reuse (default: 4 per processor, at least 16). Calls in flight beyond it allocate their own.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> is below 1, or <paramref name="chunkRows"/> so large that a workspace would not fit in an array (the message gives the most rows that fit).</exception>
    /// <exception cref="ArgumentException">Even one row's workspace would not fit in an array (the message gives its size); <paramref name="chunkRows"/> cannot help.</exception>
    public Predictor(Sequential<T> model, int? chunkRows = null, int? maxCachedWorkspaces = null)
        : this(model, new ModelInfo(), chunkRows, maxCachedWorkspaces)
    {
    }

    /// <summary>Builds a predictor from a model and what is known about it: its task, class labels and standardizations.</summary>
    /// <param name="model">The trained model; not changed, and not referenced afterwards except for its (immutable) layer objects.</param>
    /// <param name="info">The task, labels and standardizations the task methods apply (the rules of <see cref="ModelInfo"/>); copied by reference, so do not change lists given to it.</param>
    /// <param name="chunkRows">The most rows one pass runs at once; larger batches run in chunks. Sets the workspace size. Null: <see cref="DefaultChunkRows"/>, or fewer when that many rows' workspace would not fit in an array.</param>
    /// <param name="maxCachedWorkspaces">The most workspaces kept for reuse (default: 4 per processor, at least 16). Calls in flight beyond it allocate their own.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="info"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="info"/> does not fit the model (the message says which rule), or even one row's workspace would not fit in an array (the message gives its size).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> is below 1, or <paramref name="chunkRows"/> so large that a workspace would not fit in an array (the message gives the most rows that fit).</exception>
    public Predictor(Sequential<T> model, ModelInfo info, int? chunkRows = null, int? maxCachedWorkspaces = null)
        : this(model, info, chunkRows, maxCachedWorkspaces, file: null, saved: null)
    {
    }

    /// <summary>
    /// The public constructors' work. <paramref name="file"/>, when given, is the model file a model too wide for any
    /// workspace is reported against; <paramref name="saved"/>, when given, is the caller's argument that held the model
    /// and its info, named in an <see cref="ArgumentException"/> in their place.
    /// </summary>
    private Predictor(Sequential<T> model, ModelInfo info, int? chunkRows, int? maxCachedWorkspaces, string? file, string? saved)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        CheckSizes(chunkRows, maxCachedWorkspaces);
        int cached = maxCachedWorkspaces ?? Math.Max(16, 4 * Environment.ProcessorCount);
        if (ModelMetadata.Problem(info, model.InputSize, model.OutputSize) is { } problem)
            throw new ArgumentException(problem, saved ?? nameof(info));
        _chain = Plan(model.Layers, model.Parameters, model.State, "");
        InputSize = model.InputSize;
        OutputSize = model.OutputSize;
        Info = info;
        ClassLabels = Labels(info, model.OutputSize);
        (_lowest, _highest) = FeatureBounds(info.Input);
        // Per row of a chunk, after the chain's workspace: the standardized features and the raw outputs of the task methods.
        int featuresWidth = info.Input is null ? 0 : InputSize, outputsWidth = ClassLabels.Count == 0 ? 0 : OutputSize;
        long WorkspaceLength(int rows)
        {
            try
            {
                return _chain.WorkspaceLength(rows) + (long)rows * (featuresWidth + (long)outputsWidth);
            }
            catch (OverflowException)
            {
                return long.MaxValue;
            }
        }
        int fitting = RowsThatFit.Most(WorkspaceLength, chunkRows ?? DefaultChunkRows);
        if (fitting == 0)
        {
            string length = WorkspaceLength(1) == long.MaxValue ? "more elements than an int counts" : $"{WorkspaceLength(1)} elements";
            string why = $"workspace for one row ({length}) does not fit in an array (at most {Array.MaxLength} elements), so no chunkRows can run it";
            throw file is null ? new ArgumentException($"The model's {why}.", saved ?? nameof(model)) : new ModelFileException(file, $"the architecture's {why}.");
        }
        if (fitting < chunkRows)
            throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows,
                $"A workspace for chunks of {chunkRows} rows does not fit in an array (at most {Array.MaxLength} elements); for this model chunkRows can be at most {fitting}.");
        ChunkRows = fitting;
        _featuresLength = fitting * featuresWidth;
        _outputsLength = fitting * outputsWidth;
        _pool = new WorkspacePool<T>((int)WorkspaceLength(fitting), cached);
    }

    /// <summary>Builds a predictor from a model read by <see cref="ModelFile.Load{T}"/>, with the info its file records.</summary>
    /// <param name="saved">The model and its info; the model is not changed.</param>
    /// <param name="chunkRows">The most rows one pass runs at once. Null: <see cref="DefaultChunkRows"/>, or fewer when that many rows' workspace would not fit in an array.</param>
    /// <param name="maxCachedWorkspaces">The most workspaces kept for reuse (default: 4 per processor, at least 16).</param>
    /// <exception cref="ArgumentNullException"><paramref name="saved"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> is below 1, or <paramref name="chunkRows"/> so large that a workspace would not fit in an array (the message gives the most rows that fit).</exception>
    /// <exception cref="ArgumentException">Even one row's workspace would not fit in an array (the message gives its size); named <paramref name="saved"/>.</exception>
    public Predictor(SavedModel<T> saved, int? chunkRows = null, int? maxCachedWorkspaces = null)
        : this((saved ?? throw new ArgumentNullException(nameof(saved))).Model, saved.Info, chunkRows, maxCachedWorkspaces, file: null, nameof(saved))
    {
    }

    /// <summary>
    /// Reads a model file (saved by <see cref="ModelFile.Save{T}"/>, F32 or F64, converted to <typeparamref name="T"/>)
    /// and builds its predictor, with the task, labels and standardizations the file records in <see cref="Info"/>.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="chunkRows">The most rows one pass runs at once. Null: <see cref="DefaultChunkRows"/>, or fewer when that many rows' workspace would not fit in an array.</param>
    /// <param name="maxCachedWorkspaces">The most workspaces kept for reuse (default: 4 per processor, at least 16).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty.</exception>
    /// <exception cref="ModelFileException">The file is a checkpoint (<see cref="ModelFileException.IsCheckpoint"/>, as <see cref="ModelFile.Load{T}"/> refuses it), or it is malformed, has no architecture, its tensors or metadata do not fit it, a finite F64 value is beyond float's range when <typeparamref name="T"/> is float (<see cref="ModelFileException.NeedsDouble"/>), the path is a pipe or a socket, or its architecture asks for more working memory per row than <see cref="ModelFile.Load{T}"/> allows a file, or than an array holds.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> is below 1, or <paramref name="chunkRows"/> so large that a workspace would not fit in an array (the message gives the most rows that fit).</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static Predictor<T> Load(string path, int? chunkRows = null, int? maxCachedWorkspaces = null)
    {
        // Before the file is read: a bad size is the caller's mistake, whatever the file holds.
        CheckSizes(chunkRows, maxCachedWorkspaces);
        // The model only passes its weights on: the smallest workspace will do.
        SavedModel<T> saved = ModelFile.Load<T>(path, maxBatch: 1);
        return new Predictor<T>(saved.Model, saved.Info, chunkRows, maxCachedWorkspaces, path, saved: null);
    }

    /// <summary>Refuses a given <paramref name="chunkRows"/> or <paramref name="maxCachedWorkspaces"/> below 1, by name.</summary>
    private static void CheckSizes(int? chunkRows, int? maxCachedWorkspaces)
    {
        if (chunkRows < 1)
            throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "chunkRows must be at least 1.");
        if (maxCachedWorkspaces < 1)
            throw new ArgumentOutOfRangeException(nameof(maxCachedWorkspaces), maxCachedWorkspaces, "maxCachedWorkspaces must be at least 1.");
    }

    /// <summary>Features per input row.</summary>
    public int InputSize { get; }

    /// <summary>Features per output row.</summary>
    public int OutputSize { get; }

    /// <summary>The most rows one pass runs at once (the chunkRows given, or the default chosen); larger batches are run in chunks of this many rows.</summary>
    public int ChunkRows { get; }

    /// <summary>What is known about the model: task, class labels, input and target standardization, names (all null when built from a model alone).</summary>
    public ModelInfo Info { get; }

    /// <summary>Bytes of working memory one call in flight uses.</summary>
    public long WorkspaceBytes => (long)_pool.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>The most workspaces kept for reuse between calls.</summary>
    public int MaxCachedWorkspaces => _pool.Capacity;

    /// <summary>The steps the model became, one per line (such as <c>0 Dense + 1 Relu: 784→256</c>: a Dense layer with the activation fused into it; a Residual or Concat block is one line).</summary>
    public string Describe() => string.Join(Environment.NewLine, _chain.Steps.Select(s => $"{s.Name}: {s.InputSize}→{s.OutputSize}"));

    /// <summary>Runs the model on <paramref name="batch"/> rows in evaluation mode.</summary>
    /// <remarks>The model itself, as <see cref="Sequential{T}.Forward(ReadOnlySpan{T}, int)"/>: a NaN or infinite input is
    /// not checked, and gives NaN or infinite outputs in its row (the task methods refuse one).</remarks>
    /// <param name="input">The input, <c>[batch, InputSize]</c> row-major.</param>
    /// <param name="output">The output, <c>[batch, OutputSize]</c> row-major, overwritten; must not overlap <paramref name="input"/>.</param>
    /// <param name="batch">Rows (0 does nothing).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> or <paramref name="output"/> does not hold exactly batch rows, or they overlap.</exception>
    public void Predict(ReadOnlySpan<T> input, Span<T> output, int batch)
    {
        CheckRows(input, output, OutputSize, batch, nameof(input), nameof(output));
        if (batch == 0)
            return;
        T[] workspace = _pool.Rent();
        try
        {
            // Stepped by the rows taken (ChunkWalk): by ChunkRows, row wrapped negative past int.MaxValue − ChunkRows rows.
            for (var chunk = new ChunkWalk(batch, ChunkRows); chunk.MoveNext();)
            {
                int row = chunk.Start, rows = chunk.Length;
                Run(input.Slice(row * InputSize, rows * InputSize), output.Slice(row * OutputSize, rows * OutputSize), rows, workspace);
            }
        }
        finally
        {
            _pool.Return(workspace);
        }
    }

    /// <summary>Checks that <paramref name="input"/> holds batch rows of InputSize and <paramref name="output"/> batch rows of <paramref name="width"/>, not overlapping.</summary>
    private void CheckRows(ReadOnlySpan<T> input, ReadOnlySpan<T> output, int width, int batch, string inputName, string outputName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length != (long)batch * InputSize)
            throw new ArgumentException($"{inputName} has {input.Length} elements but [{batch}, {InputSize}] needs {(long)batch * InputSize}.", inputName);
        if (output.Length != (long)batch * width)
            throw new ArgumentException($"{outputName} has {output.Length} elements but [{batch}, {width}] needs {(long)batch * width}.", outputName);
        if (input.Overlaps(output))
            throw new ArgumentException($"{outputName} overlaps {inputName}; they must not share memory.", outputName);
    }

    // On the calling thread only, as the class promises: a layer's element-wise pass over a wide chunk (an unfused
    // activation after a LayerNorm, say) would otherwise take FastNN's workers from the other callers.
    private void Run(ReadOnlySpan<T> input, Span<T> output, int rows, Span<T> workspace)
    {
        using WorkerPool.CallingThreadScope scope = WorkerPool.OnCallingThread();
        _chain.Run(input, output, rows, workspace);
    }

    /// <summary>
    /// Layers as steps: each Dense fused with the element-wise activation after it, Dropout dropped, the bodies of
    /// Residual and Concat blocks planned the same way (so that no product's summation order depends on the batch),
    /// the rest run as they are.
    /// </summary>
    /// <param name="layers">The layers, whose tensors lie in order in <paramref name="parameters"/> and <paramref name="state"/>.</param>
    /// <param name="parameters">The layers' parameters.</param>
    /// <param name="state">The layers' state.</param>
    /// <param name="prefix">How step names locate a nested layer, such as <c>3.body.</c>.</param>
    private static StepChain<T> Plan(IReadOnlyList<ILayer<T>> layers, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state, string prefix)
    {
        var parameterOffsets = new int[layers.Count + 1];
        var stateOffsets = new int[layers.Count + 1];
        for (int j = 0; j < layers.Count; j++)
        {
            parameterOffsets[j + 1] = parameterOffsets[j] + layers[j].ParameterDeclarations.Sum(p => p.Length);
            stateOffsets[j + 1] = stateOffsets[j] + layers[j].StateDeclarations.Sum(d => d.BufferLength);
        }
        var steps = new List<InferenceStep<T>>();
        for (int j = 0; j < layers.Count; j++)
        {
            ILayer<T> layer = layers[j];
            ReadOnlySpan<T> own = parameters[parameterOffsets[j]..parameterOffsets[j + 1]];
            ReadOnlySpan<T> ownState = state[stateOffsets[j]..stateOffsets[j + 1]];
            string name = $"{prefix}{j} {LayerName(layer)}";
            switch (layer)
            {
                case Dropout<T>:
                    continue;
                case Dense<T> dense:
                {
                    int weightLength = dense.OutputSize * dense.InputSize;
                    Activation activation = Activation.Identity;
                    if (j + 1 < layers.Count && FusedActivation(layers[j + 1], parameters[parameterOffsets[j + 1]..]) is { } fused)
                    {
                        activation = fused;
                        name += $" + {prefix}{j + 1} {LayerName(layers[j + 1])}";
                        j++;
                    }
                    steps.Add(new DenseStep<T>(own[..weightLength], own[weightLength..], dense.InputSize, dense.OutputSize, activation, name));
                    break;
                }
                case Residual<T> residual:
                {
                    StepChain<T> body = Plan(residual.Body, own, ownState, $"{prefix}{j}.body.");
                    // The projection P [out, in] follows the body's parameters.
                    DenseStep<T>? projection = residual.HasProjection
                        ? new DenseStep<T>(own[^(residual.OutputSize * residual.InputSize)..], default, residual.InputSize, residual.OutputSize,
                            Activation.Identity, $"{prefix}{j}.projection")
                        : null;
                    steps.Add(new ResidualStep<T>(body, projection, name));
                    break;
                }
                case Concat<T> concat:
                    steps.Add(new ConcatStep<T>(Plan(concat.Body, own, ownState, $"{prefix}{j}.body."), name));
                    break;
                default:
                    steps.Add(new LayerStep<T>(layer, own, ownState, name));
                    break;
            }
        }
        if (steps.Count == 0) // only Dropout layers: the identity
            steps.Add(new LayerStep<T>(layers[0], default, default, $"{prefix}0 {LayerName(layers[0])}"));
        return new StepChain<T>(steps);
    }

    /// <summary>The activation a Dense step can apply in its kernel for <paramref name="layer"/> (whose parameters start <paramref name="parameters"/>), or null when it is not one.</summary>
    private static Activation? FusedActivation(ILayer<T> layer, ReadOnlySpan<T> parameters) => layer switch
    {
        Relu<T> => Activation.Relu,
        LeakyRelu<T> l => Activation.LeakyRelu(l.NegativeSlope),
        Elu<T> e => Activation.Elu(e.Alpha),
        Gelu<T> g => g.TanhApproximation ? Activation.GeluTanh : Activation.Gelu,
        Silu<T> => Activation.Silu,
        Sigmoid<T> => Activation.Sigmoid,
        Tanh<T> => Activation.Tanh,
        Softplus<T> s => Activation.Softplus(s.Beta, s.Threshold),
        // The fused kernel takes a finite slope; any other (a diverged run's) runs as PReLU's own forward pass.
        PRelu<T> { Slopes: 1 } when T.IsFinite(parameters[0]) => Activation.LeakyRelu(double.CreateTruncating(parameters[0])),
        _ => null,
    };

    private static string LayerName(ILayer<T> layer) => layer.GetType().Name.Split('`')[0];
}
