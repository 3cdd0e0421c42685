using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Layers;

namespace FastNN.Models;

/// <summary>
/// A stack of layers run one after another, as PyTorch's <c>nn.Sequential</c>, owning every buffer it needs:
/// one contiguous parameter buffer, one gradient buffer with the same layout, one state buffer and a workspace
/// sized once for <see cref="MaxBatch"/> rows (the large ones on transparent huge pages where Linux grants them: <see
/// cref="HugePages"/>). After construction, passes allocate nothing.
/// </summary>
/// <remarks>
/// Tensors are named as in the state dict of the equivalent <c>nn.Sequential</c> (<c>0.weight</c>, <c>0.bias</c>,
/// <c>1.running_mean</c>, …). Parameters are initialized at construction from the seeded <see cref="Random"/>
/// (Dense, and a Residual's projection, as <c>nn.Linear</c>; normalization γ = 1, β = 0; PReLU its initial slope, 0.25 by default).
/// <para>Thread safety: not thread-safe: Forward and Backward write the model's one workspace of activations, even in
/// evaluation mode, so one thread at a time uses a model. To serve predictions from many threads, build one <see
/// cref="FastNN.Inference.Predictor{T}"/> from it and share that.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sequential<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerChain<T> _chain;
    private readonly Memory<T> _parameters;
    private readonly Memory<T> _gradients;
    private readonly T[] _state;
    private readonly T[] _input;
    private readonly T[] _inputGradient;
    private readonly Memory<T> _workspace;
    private readonly LayerContext _context;
    private ReadOnlyMemory<T> _forwardInput;
    private int _forwardBatch;
    private int _inputGradientBatch;

    /// <summary>Builds a model from <paramref name="layers"/>, each taking the previous one's output width.</summary>
    /// <param name="layers">The layers, in order.</param>
    /// <param name="maxBatch">The largest batch <see cref="Forward(ReadOnlySpan{T}, int)"/> will be given (at least 1).</param>
    /// <param name="seed">Seed of <see cref="Random"/> (initialization, dropout).</param>
    /// <exception cref="ArgumentException">No layers, a layer's input width differs from the previous layer's output width (the message names both layers and shapes), or a layer declares a tensor with a negative dimension, two tensors of one name, a tensor name holding a lone surrogate (UTF-8, a file's header, cannot hold it), tensors of more elements than one buffer holds, or negative scratch (the message names the layer and tensor).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1, or so large that the workspace would not fit in an array.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public Sequential(IEnumerable<ILayer<T>> layers, int maxBatch, ulong seed = 0)
        : this(layers, maxBatch, seed, initialize: true)
    {
    }

    /// <summary>Builds the model, initializing its tensors or (for a model whose every tensor is about to be read from a file) not.</summary>
    internal Sequential(IEnumerable<ILayer<T>> layers, int maxBatch, ulong seed, bool initialize)
    {
        // The constraint admits Half and NFloat too, but the kernels (GEMM) and model files hold float or double only:
        // say so at build time, not at the first forward pass.
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"A model holds float or double values, not {typeof(T).Name}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _chain = new LayerChain<T>(layers, j => $"Layer {j}", nameof(layers));
        MaxBatch = maxBatch;
        Seed = seed;
        _context = new LayerContext(seed);
        int workspace = WorkspaceLength(_chain, maxBatch);
        _parameters = HugePages.Allocate<T>(_chain.ParameterLength);
        _gradients = HugePages.Allocate<T>(_chain.ParameterLength);
        _state = new T[_chain.StateLength];
        _input = new T[maxBatch * InputSize];
        _inputGradient = new T[maxBatch * InputSize];
        _workspace = HugePages.Allocate<T>(workspace);

        var parameterTensors = new List<ParameterTensor>();
        int offset = 0;
        foreach ((ParameterDeclaration p, int layer) in _chain.Parameters)
        {
            parameterTensors.Add(new ParameterTensor(p.Name, offset, p.Length, p.Shape, p.Kind, layer));
            offset += p.Length;
        }
        ParameterTensors = parameterTensors;
        var stateTensors = new List<StateTensor>();
        offset = 0;
        foreach ((StateDeclaration s, int layer) in _chain.State)
        {
            stateTensors.Add(new StateTensor(s.Name, offset, s.Length, s.Shape, layer, s.IsInteger));
            offset += s.BufferLength;
        }
        StateTensors = stateTensors;
        if (initialize)
            Initialize(seed);
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<ILayer<T>> Layers => _chain.Layers;

    /// <summary>The layers' declarations, as the buffers lay them out.</summary>
    internal LayerChain<T> Chain => _chain;

    /// <summary>Features per input row.</summary>
    public int InputSize => _chain.InputSize;

    /// <summary>Features per output row.</summary>
    public int OutputSize => _chain.OutputSize;

    /// <summary>The largest batch the workspace holds.</summary>
    public int MaxBatch { get; }

    /// <summary>The seed the model was built with.</summary>
    public ulong Seed { get; }

    /// <summary>Training mode (batch statistics, dropout on; the default) or evaluation mode (running statistics, dropout off).</summary>
    public bool Training
    {
        get => _context.Training;
        set => _context.Training = value;
    }

    /// <summary>The model's seeded random source (initialization and dropout masks).</summary>
    public FastRandom Random => _context.Random;

    /// <summary>All learnable parameters, one contiguous buffer; each tensor is the slice given by <see cref="ParameterTensors"/>.</summary>
    public Span<T> Parameters => _parameters.Span;

    /// <summary>The gradients of <see cref="Parameters"/>, same layout; <see cref="Backward(ReadOnlySpan{T}, int)"/> accumulates into them.</summary>
    public Span<T> Gradients => _gradients.Span;

    /// <summary>Non-learnable state (running statistics), laid out as <see cref="StateTensors"/> (counts as <see cref="StateCount"/> holds them).</summary>
    public Span<T> State => _state;

    /// <summary>Name, offset, shape and kind of each tensor in <see cref="Parameters"/>, in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    /// <summary>Name, offset and shape of each tensor in <see cref="State"/>, in buffer order.</summary>
    public IReadOnlyList<StateTensor> StateTensors { get; }

    /// <summary>The slice of <see cref="Parameters"/> holding the named tensor.</summary>
    /// <param name="name">A state-dict name such as <c>0.weight</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No parameter tensor has that name.</exception>
    public Span<T> Parameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (ParameterTensor p in ParameterTensors)
            if (p.Name == name)
                return Parameters.Slice(p.Offset, p.Length);
        throw new ArgumentException($"The model has no parameter tensor '{name}'; it has {string.Join(", ", ParameterTensors.Select(t => t.Name))}.", nameof(name));
    }

    /// <summary>The named parameter or state tensor (any state-dict name of <see cref="ParameterTensors"/> or <see cref="StateTensors"/>), read-only.</summary>
    /// <param name="name">A state-dict name such as <c>0.weight</c> or <c>1.running_mean</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No tensor has that name (the message lists the names).</exception>
    public ReadOnlySpan<T> Tensor(string name) => Slot(name, nameof(name), out _);

    /// <summary>Overwrites the named parameter or state tensor with <paramref name="values"/>, which must hold exactly as many elements (counts are set to the values given, exact up to 2^24 in a float model: <see cref="StateCount.Set{T}"/> sets larger ones exactly).</summary>
    /// <param name="name">A state-dict name such as <c>0.weight</c> or <c>1.running_mean</c>.</param>
    /// <param name="values">The new values, row-major in the tensor's shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No tensor has that name, or <paramref name="values"/> has another length than the tensor (the message gives its shape); the model is unchanged.</exception>
    public void SetTensor(string name, ReadOnlySpan<T> values)
    {
        Span<T> slot = Slot(name, nameof(name), out int[] shape);
        if (values.Length != slot.Length)
            throw new ArgumentException($"Tensor '{name}' has shape {TensorShape.Format(shape)} ({slot.Length} elements) but {values.Length} values were given.", nameof(values));
        values.CopyTo(slot);
        if (StateTensors.FirstOrDefault(s => s.Name == name) is { IsInteger: true } count)
            State.Slice(count.Offset + count.Length, count.Length).Clear(); // the remainders of the old counts
        ForgetForward();
    }

    private Span<T> Slot(string name, string argument, out int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name, argument);
        foreach (ParameterTensor p in ParameterTensors)
        {
            if (p.Name == name)
            {
                shape = p.Shape;
                return Parameters.Slice(p.Offset, p.Length);
            }
        }
        foreach (StateTensor s in StateTensors)
        {
            if (s.Name == name)
            {
                shape = s.Shape;
                return State.Slice(s.Offset, s.Length);
            }
        }
        throw new ArgumentException($"The model has no tensor '{name}'; it has {string.Join(", ", ParameterTensors.Select(t => t.Name).Concat(StateTensors.Select(t => t.Name)))}.", argument);
    }

    /// <summary>Re-initializes every parameter and state tensor from a generator reseeded with <paramref name="seed"/> (as at construction when it is the build seed).</summary>
    /// <param name="seed">Seed of <see cref="Random"/>.</param>
    public void Initialize(ulong seed)
    {
        _context.Random.Reseed(seed);
        // No scratch: Initialize hands none to the layers, and a layer's ScratchLength takes a batch of at least 1 row.
        _chain.Initialize(new LayerBuffers<T>(_parameters.Span, _gradients.Span, _state, default, _context));
        ForgetForward();
    }

    /// <summary>
    /// Closes Backward until the next Forward, once the tensors were overwritten (<see cref="SetTensor"/>,
    /// <see cref="Initialize"/>, a load) or a gradient check ran its own passes: the last pass's activations belong to
    /// other tensors or another input, and a Backward on them would mix the two models (PyTorch's version counter refuses a tensor saved for backward that was changed in place).
    /// Writes through the <see cref="Parameters"/> span are not seen (an optimizer step, a restore of the best epoch).
    /// </summary>
    internal void ForgetForward()
    {
        _forwardBatch = 0;
        _forwardInput = default;
    }

    /// <summary>Runs the model on <paramref name="batch"/> rows.</summary>
    /// <param name="input">The input, <c>[batch, InputSize]</c> row-major; copied, so the caller may reuse it at once
    /// (<see cref="Forward(ReadOnlyMemory{T}, int)"/> reads it in place instead).</param>
    /// <param name="batch">Rows, from 1 to <see cref="MaxBatch"/>.</param>
    /// <returns>The output <c>[batch, OutputSize]</c>, a view of the workspace valid until the next pass.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is outside [1, MaxBatch].</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold batch × InputSize elements, or a layer refuses the batch (a
    /// BatchNorm1d in training mode given 1 row, a layer of your own whose ScratchLength shrinks as the batch grows), the message naming the layer; no Backward may follow such a pass.</exception>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batch)
    {
        CheckInput(input.Length, batch);
        Memory<T> copy = _input.AsMemory(0, input.Length);
        input.CopyTo(copy.Span);
        return Run(copy, batch);
    }

    /// <summary>Runs the model on <paramref name="batch"/> rows read where they lie, without copying them.</summary>
    /// <param name="input">The input, <c>[batch, InputSize]</c> row-major. The model keeps a reference to it: a
    /// <see cref="Backward(ReadOnlySpan{T}, int)"/> that follows reads it again (the first layer's weight gradient needs it),
    /// so it must not change until that backward pass has returned. The reference is dropped at the next forward pass.</param>
    /// <param name="batch">Rows, from 1 to <see cref="MaxBatch"/>.</param>
    /// <returns>The output <c>[batch, OutputSize]</c>, a view of the workspace valid until the next pass.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is outside [1, MaxBatch].</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold batch × InputSize elements, or a layer refuses the batch (a
    /// BatchNorm1d in training mode given 1 row, a layer of your own whose ScratchLength shrinks as the batch grows), the message naming the layer; no Backward may follow such a pass.</exception>
    public ReadOnlySpan<T> Forward(ReadOnlyMemory<T> input, int batch)
    {
        CheckInput(input.Length, batch);
        return Run(input, batch);
    }

    private void CheckInput(int length, int batch)
    {
        CheckBatch(batch);
        if (length != batch * InputSize)
            throw new ArgumentException($"Layer 0 expects input [{batch}, {InputSize}] ({batch * InputSize} elements) but got {length} elements.", "input");
    }

    private ReadOnlySpan<T> Run(ReadOnlyMemory<T> input, int batch)
    {
        // A pass that throws part-way (BatchNorm1d given 1 row in training, a user layer's refusal) leaves the workspace
        // half written: no Backward may follow it, so the batch is recorded only once every layer has run.
        _forwardBatch = 0;
        _forwardInput = input;
        ReadOnlySpan<T> output = _chain.Forward(input.Span, Buffers(batch), batch);
        _forwardBatch = batch;
        return output;
    }

    /// <summary>Back-propagates the gradient of a loss with respect to the last output; parameter gradients ACCUMULATE into <see cref="Gradients"/>.</summary>
    /// <remarks>The forward pass's activations survive it: several Backward calls after one Forward (several losses on one
    /// output, as PyTorch's <c>retain_graph=True</c>) add up their parameter gradients; the input gradient is the last call's.</remarks>
    /// <param name="outputGradient">d loss / d output, <c>[batch, OutputSize]</c>.</param>
    /// <param name="batch">The batch of the last <see cref="Forward(ReadOnlySpan{T}, int)"/>.</param>
    /// <exception cref="InvalidOperationException">The last forward pass was of another batch, or threw (its activations are incomplete), or
    /// the tensors were set since (<see cref="SetTensor"/>, <see cref="Initialize"/>, <c>ModelFile.LoadWeights</c>, <c>Checkpoint.Load</c>).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/> does not hold batch × OutputSize elements, or shares memory with
    /// <see cref="InputGradient"/> while <see cref="ComputeInputGradient"/> is on (this pass overwrites it: pass a copy); or a
    /// layer threw one, the message naming the layer; a first layer of your own that writes into the empty dx it is given while
    /// ComputeInputGradient is off (by CopyTo or by index) is told to skip it.</exception>
    public void Backward(ReadOnlySpan<T> outputGradient, int batch) => Backward(outputGradient, batch, accumulate: true);

    /// <summary>The backward pass, the parameter gradients accumulated or overwritten (for a step that would zero them first).</summary>
    internal void Backward(ReadOnlySpan<T> outputGradient, int batch, bool accumulate)
    {
        CheckBatch(batch);
        if (batch != _forwardBatch)
            throw new InvalidOperationException(_forwardBatch == 0
                ? $"Backward of batch {batch} must follow a Forward of the same batch; no Forward has completed since the model was built, its tensors were set (SetTensor, Initialize, a load), a gradient check ran or the last one threw."
                : $"Backward of batch {batch} must follow a Forward of the same batch; the last Forward had batch {_forwardBatch}.");
        if (outputGradient.Length != batch * OutputSize)
            throw new ArgumentException($"Layer {Layers.Count - 1} outputs [{batch}, {OutputSize}] ({batch * OutputSize} elements) but the output gradient has {outputGradient.Length} elements.", nameof(outputGradient));
        Span<T> inputGradient = _inputGradient.AsSpan(0, (ComputeInputGradient ? batch : 0) * InputSize);
        // The last pass's InputGradient handed back as the output gradient (a model iterated on its own gradient): the
        // first layer would write it while later reads still need it (a Residual's skip path read its body's result, a
        // Dense refused only after accumulating its weight gradient). Refused before anything is written.
        if (outputGradient.Overlaps(inputGradient))
            throw new ArgumentException($"The output gradient [{batch}, {OutputSize}] shares memory with the model's InputGradient [{batch}, {InputSize}], which this pass overwrites; pass a copy.", nameof(outputGradient));
        // As Run records the forward batch: a pass that throws part-way leaves the input gradient unwritten or half
        // written, so it is served only once every layer has run.
        _inputGradientBatch = 0;
        _chain.Backward(inputGradient, outputGradient, _forwardInput.Span, Buffers(batch), batch, accumulate);
        _inputGradientBatch = inputGradient.IsEmpty ? 0 : batch;
    }

    /// <summary>
    /// Whether <see cref="Backward(ReadOnlySpan{T}, int)"/> computes the gradient with respect to the input (default true). Training a model
    /// on data does not need it; turning it off skips the first layer's input-gradient product (about a quarter of
    /// the backward work of an MLP whose first layer is its widest).
    /// </summary>
    public bool ComputeInputGradient { get; set; } = true;

    /// <summary>The gradient of the loss with respect to the input, <c>[batch, InputSize]</c>, written by the last backward pass (overwritten each time).</summary>
    /// <param name="batch">The batch of the last backward pass.</param>
    /// <exception cref="InvalidOperationException">The last backward pass was not of this batch, ran with <see cref="ComputeInputGradient"/> off or threw, or none has run.</exception>
    public ReadOnlySpan<T> InputGradient(int batch)
    {
        CheckBatch(batch);
        if (batch != _inputGradientBatch)
            throw new InvalidOperationException(_inputGradientBatch == 0
                ? "No input gradient: the last Backward ran with ComputeInputGradient off or threw, or none has run."
                : $"The last Backward computed the input gradient of batch {_inputGradientBatch}, not {batch}.");
        return _inputGradient.AsSpan(0, batch * InputSize);
    }

    /// <summary>
    /// Fills the workspace (every layer's output and scratch, and the gradients between layers, in blocks' bodies too) and
    /// the input gradient with NaN, so that the next passes show every element a layer leaves unwritten in its y or dx, or
    /// reads from its scratch without having written it (<see cref="Gradients.GradientCheck"/>).
    /// </summary>
    internal void FillWorkspaceWithNaN()
    {
        _workspace.Span.Fill(T.NaN);
        _inputGradient.AsSpan().Fill(T.NaN);
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad() => _gradients.Span.Clear();

    /// <summary>The JSON description of the architecture (see <see cref="FromJson"/>).</summary>
    /// <exception cref="NotSupportedException">A layer, at any depth (inside a Residual or Concat body too), is not a built-in layer; the message names its path, such as <c>2.body.0</c>.</exception>
    public string ToJson() => LayerJson.Write(Layers, MaxBatch);

    /// <summary>
    /// Builds a model from its JSON description, such as
    /// <c>{"format":"fastnn.sequential","version":1,"input_size":4,"max_batch":32,"layers":[{"type":"Linear","in_features":4,"out_features":8,"bias":true},{"type":"ReLU"}]}</c>.
    /// </summary>
    /// <remarks>Layer types and property names are PyTorch's (<c>Linear</c>, <c>ReLU</c>, <c>BatchNorm1d</c> with <c>num_features</c>, <c>eps</c>, <c>momentum</c>, …);
    /// element-wise layers take their width from the previous layer; <c>Residual</c> and <c>Concat</c> hold a <c>body</c> list.</remarks>
    /// <param name="json">The description.</param>
    /// <param name="maxBatch">Overrides the description's <c>max_batch</c>.</param>
    /// <param name="seed">Seed of <see cref="Random"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="FormatException">The description is malformed; the message says where.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1, or the batch (given or described) is so large that the workspace would not fit in an array.</exception>
    /// <exception cref="ArgumentException">The described layers declare more parameters than one buffer holds (the message names the layer).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static Sequential<T> FromJson(string json, int? maxBatch = null, ulong seed = 0)
    {
        (List<ILayer<T>> layers, int describedMaxBatch) = LayerJson.Read<T>(json);
        return new Sequential<T>(layers, maxBatch ?? describedMaxBatch, seed);
    }

    // The workspace for maxBatch rows, checked to fit in an array before anything is allocated.
    private static int WorkspaceLength(LayerChain<T> chain, int maxBatch)
    {
        int widest = Math.Max(chain.InputSize, chain.Layers.Max(l => l.OutputSize));
        try
        {
            if ((long)maxBatch * widest <= Array.MaxLength)
                return chain.ScratchLength(maxBatch);
        }
        catch (OverflowException)
        {
        }
        throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"A workspace for {maxBatch} rows of these layers (each one's output and scratch, inside blocks too) does not fit in an array; lower maxBatch or the widths.");
    }

    /// <summary>
    /// Bytes of working memory (the input copy, the input gradient and the workspace) a model of <paramref name="chain"/>
    /// allocates for one row; a model of any MaxBatch allocates at most MaxBatch times this, as no built-in layer's
    /// scratch grows faster than the batch. <see cref="long.MaxValue"/> when one row's does not fit in an array.
    /// </summary>
    internal static long WorkingBytesPerRow(LayerChain<T> chain)
    {
        try
        {
            return (2L * chain.InputSize + chain.ScratchLength(1)) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            // A width sum past int, or a layer whose scratch arithmetic wrapped to a negative count.
            return long.MaxValue;
        }
    }

    private LayerBuffers<T> Buffers(int batch)
    {
        int scratch = _chain.ScratchLength(batch);
        // The workspace holds MaxBatch rows; only a layer of one's own whose scratch shrinks as the batch grows asks for more.
        if (scratch > _workspace.Length)
            throw new ArgumentException(_chain.ShrinkingScratch(batch, MaxBatch), nameof(batch));
        return new(_parameters.Span, _gradients.Span, _state, _workspace.Span[..scratch], _context);
    }

    private void CheckBatch(int batch)
    {
        if (batch < 1 || batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in [1, {MaxBatch}] (the model's MaxBatch).");
    }
}
