using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>
/// Runs a list of layers one after another over one scratch region. Used by <see cref="Models.Sequential{T}"/>
/// and by layers built around a body of layers (<see cref="Residual{T}"/>, <see cref="Concat{T}"/>).
/// </summary>
/// <remarks>
/// <para>Scratch layout for a batch: <c>[out 0][scratch 0][out 1][scratch 1]…[grad A][grad B]</c>, where the two gradient
/// buffers take turns holding the gradient between consecutive layers. Offsets follow from the batch, so any batch
/// up to the one the scratch was sized for uses a prefix.</para>
/// <para>A <see cref="Dense{T}"/> layer followed by an activation whose derivative its output gives
/// (<see cref="IOutputDerivative"/>: ReLU, sigmoid, tanh) runs fused with it: the product goes straight into the
/// activation's output slot, with the bias and f applied in one pass (the Dense layer's own slot is left unwritten:
/// nothing reads it), and on the way back dz = dy·f′ and the bias gradient take one pass before the two products.</para>
/// </remarks>
internal sealed class LayerChain<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ILayer<T>[] _layers;
    private readonly int[] _parameterOffsets;
    private readonly int[] _parameterLengths;
    private readonly int[] _stateOffsets;
    private readonly int[] _stateLengths;
    private readonly int _gradientWidth;
    private readonly Activation?[] _fusedActivation;
    private readonly Func<int, string> _label;
    private readonly string _argument;

    /// <param name="layers">At least one layer, each taking the previous one's output width.</param>
    /// <param name="label">How errors name layer j, such as <c>j => $"layer {j}"</c>.</param>
    /// <param name="argument">The name errors give the layer list: the caller's argument (<c>layers</c>, a block's <c>body</c>).</param>
    public LayerChain(IEnumerable<ILayer<T>> layers, Func<int, string> label, string argument)
    {
        ArgumentNullException.ThrowIfNull(layers, argument);
        _label = label;
        _argument = argument;
        _layers = layers.ToArray();
        if (_layers.Length == 0)
            throw new ArgumentException("At least one layer is required.", argument);
        int n = _layers.Length;
        _parameterOffsets = new int[n];
        _parameterLengths = new int[n];
        _stateOffsets = new int[n];
        _stateLengths = new int[n];
        var parameters = new List<(ParameterDeclaration, int)>();
        var state = new List<(StateDeclaration, int)>();
        for (int j = 0; j < n; j++)
        {
            ILayer<T> layer = _layers[j] ?? throw new ArgumentException($"{label(j)} is null.", argument);
            if (layer.InputSize < 1 || layer.OutputSize < 1)
                throw new ArgumentException(WidthsBelowOne(label(j), layer), argument);
            if (j > 0 && layer.InputSize != _layers[j - 1].OutputSize)
                throw new ArgumentException(
                    $"{label(j)} ({Describe(layer)}) expects input [batch, {layer.InputSize}] but {label(j - 1)} ({Describe(_layers[j - 1])}) outputs [batch, {_layers[j - 1].OutputSize}].",
                    argument);
            _parameterOffsets[j] = ParameterLength;
            foreach (ParameterDeclaration p in layer.ParameterDeclarations)
            {
                ParameterLength += CheckedLength(p?.Name, p?.Shape, "parameter", j, layer, ParameterLength);
                parameters.Add((p! with { Name = $"{j}.{p.Name}" }, j));
            }
            _parameterLengths[j] = ParameterLength - _parameterOffsets[j];
            _stateOffsets[j] = StateLength;
            foreach (StateDeclaration s in layer.StateDeclarations)
            {
                StateLength += CheckedLength(s?.Name, s?.Shape, "state", j, layer, StateLength, s is { IsInteger: true } ? StateCount.BufferLength(1) : 1);
                state.Add((s! with { Name = $"{j}.{s.Name}" }, j));
            }
            _stateLengths[j] = StateLength - _stateOffsets[j];
            CheckNamesDistinct(j, layer);
            if (j < n - 1)
                _gradientWidth = Math.Max(_gradientWidth, layer.OutputSize);
        }
        Parameters = parameters;
        State = state;
        _fusedActivation = new Activation?[n];
        for (int j = 0; j + 1 < n; j++)
        {
            if (_layers[j] is Dense<T> && _layers[j + 1] is IOutputDerivative f)
                _fusedActivation[j] = f.Activation;
        }
    }

    /// <summary>
    /// The buffer elements of a tensor layer j declares (<paramref name="perElement"/> per tensor element: 2 for counts,
    /// see <see cref="StateCount"/>), checked before anything is sized from it: a user layer's
    /// declaration may have a negative dimension, or the tensors may hold more elements than a buffer can (an int would wrap).
    /// </summary>
    private int CheckedLength(string? name, int[]? shape, string kind, int j, ILayer<T> layer, int lengthBefore, int perElement = 1)
    {
        if (name is null || shape is null)
            throw new ArgumentException($"{_label(j)} ({Describe(layer)}) declares a {kind} tensor without a name or shape.", _argument);
        long length = perElement;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"{_label(j)} ({Describe(layer)}) declares {kind} {j}.{name} {TensorShape.Format(shape)}: a dimension is negative.", _argument);
            length = Math.Min(length * d, (long)Array.MaxLength + 1);
        }
        if (lengthBefore + length > Array.MaxLength)
            throw new ArgumentException(
                $"{_label(j)} ({Describe(layer)}) declares {kind} {j}.{name} {TensorShape.Format(shape)}: with the {lengthBefore} {kind} elements before it, more than one buffer holds ({Array.MaxLength}).",
                _argument);
        return (int)length;
    }

    /// <summary>
    /// A user layer may declare two tensors (parameters or state) of one name; the model would then hold two tensors
    /// under one state-dict name, and a file saved from it could not be read back. Nor could one whose tensor name
    /// holds a lone surrogate, which UTF-8 cannot encode.
    /// </summary>
    private void CheckNamesDistinct(int j, ILayer<T> layer)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in layer.ParameterDeclarations.Select(p => p.Name).Concat(layer.StateDeclarations.Select(s => s.Name)))
        {
            if (!names.Add(name))
                throw new ArgumentException(
                    $"{_label(j)} ({Describe(layer)}) declares two tensors named {j}.{name}; each parameter and state tensor of a layer needs a name of its own (its state-dict key).",
                    _argument);
            // The name is the tensor's key in a saved file's header, which the file would hold altered.
            if (IO.Utf8Text.LoneSurrogate(name) is { } problem)
                throw new ArgumentException($"{_label(j)} ({Describe(layer)}) declares a tensor named {j}.{name}, which holds {problem}.", _argument);
        }
    }

    public IReadOnlyList<ILayer<T>> Layers => _layers;

    public int InputSize => _layers[0].InputSize;

    public int OutputSize => _layers[^1].OutputSize;

    /// <summary>Parameter declarations prefixed with the layer index (<c>0.weight</c>), with their layer index.</summary>
    public IReadOnlyList<(ParameterDeclaration Declaration, int Layer)> Parameters { get; }

    /// <summary>State declarations prefixed with the layer index, with their layer index.</summary>
    public IReadOnlyList<(StateDeclaration Declaration, int Layer)> State { get; }

    public int ParameterLength { get; }

    public int StateLength { get; }

    public int ScratchLength(int batch)
    {
        long length = 2L * batch * _gradientWidth;
        for (int j = 0; j < _layers.Length; j++)
        {
            int scratch = _layers[j].ScratchLength(batch);
            if (scratch < 0)
                throw new ArgumentException($"{_label(j)} ({Describe(_layers[j])}) asks for {scratch} elements of scratch at batch {batch}; ScratchLength must not be negative.", _argument);
            length += (long)batch * _layers[j].OutputSize + scratch;
        }
        return checked((int)length);
    }

    /// <summary>
    /// What a model says when the scratch of <paramref name="batch"/> rows exceeds the workspace sized for
    /// <paramref name="maxBatch"/>: the layer whose <see cref="ILayer{T}.ScratchLength"/> shrinks as the batch grows.
    /// </summary>
    public string ShrinkingScratch(int batch, int maxBatch)
    {
        for (int j = 0; j < _layers.Length; j++)
        {
            int scratch = _layers[j].ScratchLength(batch), atMax = _layers[j].ScratchLength(maxBatch);
            if (scratch > atMax)
                return $"{_label(j)} ({Describe(_layers[j])}) asks for {scratch} elements of scratch at batch {batch} but {atMax} at the model's MaxBatch {maxBatch}, for which the workspace was sized; ScratchLength must not decrease as the batch grows.";
        }
        return $"The layers ask for more scratch at batch {batch} than at the model's MaxBatch {maxBatch}, for which the workspace was sized; ScratchLength must not decrease as the batch grows.";
    }

    public void Initialize(LayerBuffers<T> buffers)
    {
        for (int j = 0; j < _layers.Length; j++)
            _layers[j].Initialize(buffers.Slice(_parameterOffsets[j], _parameterLengths[j], _stateOffsets[j], _stateLengths[j], 0, 0));
    }

    /// <summary>Runs every layer; returns the last output, a slice of the scratch.</summary>
    public Span<T> Forward(ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        ReadOnlySpan<T> input = x;
        Span<T> output = default;
        int offset = 0;
        for (int j = 0; j < _layers.Length; j++)
        {
            ILayer<T> layer = _layers[j];
            output = buffers.Scratch.Slice(offset, batch * layer.OutputSize);
            offset += output.Length;
            int scratch = layer.ScratchLength(batch);
            try
            {
                if (_fusedActivation[j] is { } activation)
                {
                    // The product, bias and f written into the activation's slot: y = f(x Wᵀ + b).
                    offset += scratch;
                    output = buffers.Scratch.Slice(offset, batch * _layers[j + 1].OutputSize);
                    ((Dense<T>)layer).Forward(output, input, Inner(buffers, j, offset - scratch, scratch), batch, activation);
                    offset += output.Length;
                    scratch = _layers[++j].ScratchLength(batch);
                }
                else
                {
                    layer.Forward(output, input, Inner(buffers, j, offset, scratch), batch);
                }
            }
            catch (ArgumentException e)
            {
                throw Located(e, j, "forward");
            }
            offset += scratch;
            input = output;
        }
        return output;
    }

    /// <summary>Back-propagates <paramref name="dy"/> through every layer into <paramref name="dx"/> (overwritten); parameter gradients accumulate.</summary>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) =>
        Backward(dx, dy, x, buffers, batch, accumulate: true);

    /// <summary>
    /// Back-propagates <paramref name="dy"/> through every layer into <paramref name="dx"/> (overwritten). Parameter
    /// gradients accumulate, or with <paramref name="accumulate"/> false are overwritten: built-in Dense layers then
    /// write them directly; other layers with parameters get their slice cleared just before their backward pass.
    /// </summary>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch, bool accumulate)
    {
        int end = 0;
        foreach (ILayer<T> layer in _layers)
            end += batch * layer.OutputSize + layer.ScratchLength(batch);
        Span<T> gradientA = buffers.Scratch.Slice(end, batch * _gradientWidth);
        Span<T> gradientB = buffers.Scratch.Slice(end + gradientA.Length, gradientA.Length);

        ReadOnlySpan<T> upstream = dy;
        for (int j = _layers.Length - 1; j >= 0; j--)
        {
            ILayer<T> layer = _layers[j];
            int scratch = layer.ScratchLength(batch);
            int scratchStart = end - scratch;
            int outputStart = scratchStart - batch * layer.OutputSize;
            ReadOnlySpan<T> output = buffers.Scratch.Slice(outputStart, batch * layer.OutputSize);
            Span<T> inputGradient = InputGradient(j, dx, gradientA, gradientB, batch);
            try
            {
                if (j > 0 && _fusedActivation[j - 1] is { } activation)
                {
                    // Activation j and Dense j − 1 together: dz (into activation j's input-gradient slot) and db in one
                    // pass, then the products; Dense j − 1's output slot was never written.
                    int denseOutputStart = outputStart - _layers[j - 1].OutputSize * batch;
                    Span<T> denseInputGradient = InputGradient(j - 1, dx, gradientA, gradientB, batch);
                    ((Dense<T>)_layers[j - 1]).Backward(denseInputGradient, inputGradient, upstream, Input(j - 1, x, buffers, denseOutputStart, batch), output,
                        Inner(buffers, j - 1, outputStart, 0), batch, activation, accumulate);
                    upstream = denseInputGradient;
                    end = denseOutputStart;
                    j--;
                    continue;
                }
                if (!accumulate && layer is Dense<T> dense)
                {
                    dense.Backward(inputGradient, default, upstream, Input(j, x, buffers, outputStart, batch), output,
                        Inner(buffers, j, scratchStart, scratch), batch, Activation.Identity, accumulate: false);
                }
                else
                {
                    if (!accumulate)
                        buffers.Gradients.Slice(_parameterOffsets[j], _parameterLengths[j]).Clear();
                    layer.Backward(inputGradient, upstream, Input(j, x, buffers, outputStart, batch), output, Inner(buffers, j, scratchStart, scratch), batch);
                }
            }
            catch (ArgumentException e)
            {
                // The commonest mistake in a layer of one's own: writing dx when it is empty (the first layer while training).
                // Only a layer of one's own is told: a built-in block (Residual, Concat) passes its empty dx on to its body,
                // whose chain names the layer that wrote it.
                throw Located(e, j, inputGradient.IsEmpty && _layers[j] is not IJsonLayer ? EmptyDxHint : "backward");
            }
            catch (IndexOutOfRangeException e) when (inputGradient.IsEmpty && _layers[j] is not IJsonLayer)
            {
                // The same mistake written with a loop (dx[i] = …): the same hint, as the argument error a CopyTo gets.
                throw new ArgumentException($"{_label(j)} ({Describe(layer)}) {EmptyDxHint}: {e.Message}", "dx", e);
            }
            upstream = inputGradient;
            end = outputStart;
        }
    }

    /// <summary>Layer j's input: the chain's input, or layer j − 1's output, which ends where layer j's output starts (less j − 1's scratch).</summary>
    private ReadOnlySpan<T> Input(int j, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int outputStart, int batch)
    {
        if (j == 0)
            return x;
        int inputLength = batch * _layers[j].InputSize;
        return buffers.Scratch.Slice(outputStart - _layers[j - 1].ScratchLength(batch) - inputLength, inputLength);
    }

    private const string EmptyDxHint = "backward, given an empty dx (no input gradient is wanted: skip it, and still accumulate the parameter gradients)";

    /// <summary>Where layer j writes its input gradient: the chain's dx for the first layer, else one of the two alternating buffers.</summary>
    private Span<T> InputGradient(int j, Span<T> dx, Span<T> gradientA, Span<T> gradientB, int batch) =>
        j == 0 ? dx : (j % 2 == 0 ? gradientA : gradientB)[..(batch * _layers[j].InputSize)];

    private LayerBuffers<T> Inner(LayerBuffers<T> buffers, int j, int scratchOffset, int scratchLength) =>
        buffers.Slice(_parameterOffsets[j], _parameterLengths[j], _stateOffsets[j], _stateLengths[j], scratchOffset, scratchLength);

    // A layer's argument error, prefixed with where it happened (nested chains add their own prefixes). The message taken
    // in is the inner one without its " (Parameter 'x')", which the new exception appends again for the same ParamName.
    private ArgumentException Located(ArgumentException e, int j, string pass)
    {
        string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
        return new($"{_label(j)} ({Describe(_layers[j])}) {pass}: {message}", e.ParamName, e);
    }

    internal static string Describe(ILayer<T> layer) => layer.GetType().Name.Split('`')[0];

    /// <summary>What a chain (or a builder) says of a layer with a width below 1, which it refuses.</summary>
    internal static string WidthsBelowOne(string label, ILayer<T> layer) =>
        $"{label} ({Describe(layer)}) has input width {layer.InputSize} and output width {layer.OutputSize}; both must be at least 1.";
}
