using System.Numerics;
using FastNN.Layers;

namespace FastNN.Models;

/// <summary>
/// Builds a <see cref="Sequential{T}"/> layer by layer, each taking the previous layer's output width:
/// <c>new SequentialBuilder&lt;float&gt;(784).Dense(256).Relu().Dense(10).Build(maxBatch: 64)</c>.
/// </summary>
/// <remarks>Thread safety: not thread-safe: each call adds to the same list of layers; one thread at a time.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SequentialBuilder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ILayer<T>> _layers = [];
    // How errors name the layers added and the input: the model's, or a block body's as its chain names them.
    private readonly string _label;
    private readonly string _input;

    /// <summary>Starts a model taking <paramref name="inputSize"/> features per row.</summary>
    /// <param name="inputSize">Features per input row (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/> is below 1.</exception>
    public SequentialBuilder(int inputSize)
        : this(inputSize, "Layer", "the model's input is")
    {
    }

    private SequentialBuilder(int inputSize, string label, string input)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        InputSize = inputSize;
        Width = inputSize;
        _label = label;
        _input = input;
    }

    /// <summary>Features per input row.</summary>
    public int InputSize { get; }

    /// <summary>The output width of the layers added so far.</summary>
    public int Width { get; private set; }

    /// <summary>The layers added so far.</summary>
    public IReadOnlyList<ILayer<T>> Layers => _layers;

    /// <summary>Adds any layer, built-in or your own; its input width must be <see cref="Width"/>.</summary>
    /// <param name="layer">The layer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="layer"/> is null.</exception>
    /// <exception cref="ArgumentException">The layer's input width is not <see cref="Width"/>, or its output width is below 1.</exception>
    public SequentialBuilder<T> Add(ILayer<T> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        // Refused here, not at Build: the next layer added would be built for a width of 0 and blame an argument of its own.
        if (layer.OutputSize < 1)
            throw new ArgumentException(LayerChain<T>.WidthsBelowOne($"{_label} {_layers.Count}", layer), nameof(layer));
        if (layer.InputSize != Width)
            throw new ArgumentException(
                $"{_label} {_layers.Count} ({LayerChain<T>.Describe(layer)}) expects input [batch, {layer.InputSize}] but {(_layers.Count == 0 ? _input : "the layers before it output")} [batch, {Width}].",
                nameof(layer));
        _layers.Add(layer);
        Width = layer.OutputSize;
        return this;
    }

    /// <summary>Adds a <see cref="Dense{T}"/> layer to <paramref name="outFeatures"/> features.</summary>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="bias">Whether it has a bias (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outFeatures"/> is below 1.</exception>
    public SequentialBuilder<T> Dense(int outFeatures, bool bias = true) => Add(new Dense<T>(Width, outFeatures, bias));

    /// <summary>Adds a <see cref="BatchNorm1d{T}"/> layer.</summary>
    /// <param name="eps">ε (default 1e-5).</param>
    /// <param name="momentum">Running-statistics momentum (default 0.1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is negative, NaN or not finite in <typeparamref name="T"/>, or <paramref name="momentum"/> is outside [0, 1].</exception>
    public SequentialBuilder<T> BatchNorm(double eps = 1e-5, double momentum = 0.1) => Add(new BatchNorm1d<T>(Width, eps, momentum));

    /// <summary>Adds a <see cref="LayerNorm{T}"/> layer.</summary>
    /// <param name="eps">ε (default 1e-5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is negative, NaN or not finite in <typeparamref name="T"/>.</exception>
    public SequentialBuilder<T> LayerNorm(double eps = 1e-5) => Add(new LayerNorm<T>(Width, eps));

    /// <summary>Adds a <see cref="Dropout{T}"/> layer.</summary>
    /// <param name="p">Probability of zeroing an element (default 0.5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public SequentialBuilder<T> Dropout(double p = 0.5) => Add(new Dropout<T>(Width, p));

    /// <summary>Adds a <see cref="Relu{T}"/> layer.</summary>
    public SequentialBuilder<T> Relu() => Add(new Relu<T>(Width));

    /// <summary>Adds a <see cref="Sigmoid{T}"/> layer.</summary>
    public SequentialBuilder<T> Sigmoid() => Add(new Sigmoid<T>(Width));

    /// <summary>Adds a <see cref="Tanh{T}"/> layer.</summary>
    public SequentialBuilder<T> Tanh() => Add(new Tanh<T>(Width));

    /// <summary>Adds a <see cref="LeakyRelu{T}"/> layer.</summary>
    /// <param name="negativeSlope">Slope for negative inputs (default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite in <typeparamref name="T"/>.</exception>
    public SequentialBuilder<T> LeakyRelu(double negativeSlope = 0.01) => Add(new LeakyRelu<T>(Width, negativeSlope));

    /// <summary>Adds an <see cref="Elu{T}"/> layer.</summary>
    /// <param name="alpha">α (default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not finite in <typeparamref name="T"/>.</exception>
    public SequentialBuilder<T> Elu(double alpha = 1.0) => Add(new Elu<T>(Width, alpha));

    /// <summary>Adds a <see cref="Gelu{T}"/> layer.</summary>
    /// <param name="tanhApproximation">Use the tanh approximation (default false: exact erf form).</param>
    public SequentialBuilder<T> Gelu(bool tanhApproximation = false) => Add(new Gelu<T>(Width, tanhApproximation));

    /// <summary>Adds a <see cref="Silu{T}"/> layer.</summary>
    public SequentialBuilder<T> Silu() => Add(new Silu<T>(Width));

    /// <summary>Adds a <see cref="Softplus{T}"/> layer.</summary>
    /// <param name="beta">β (default 1).</param>
    /// <param name="threshold">Identity above β·x &gt; threshold (default 20).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not positive and finite in <typeparamref name="T"/>, or <paramref name="threshold"/> is NaN or infinite.</exception>
    public SequentialBuilder<T> Softplus(double beta = 1.0, double threshold = 20.0) => Add(new Softplus<T>(Width, beta, threshold));

    /// <summary>Adds a <see cref="PRelu{T}"/> layer.</summary>
    /// <param name="perFeature">One slope per feature instead of one shared slope (default false).</param>
    /// <param name="initialSlope">Initial slope (default 0.25).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialSlope"/> is not finite in <typeparamref name="T"/>.</exception>
    public SequentialBuilder<T> PRelu(bool perFeature = false, double initialSlope = 0.25) => Add(new PRelu<T>(Width, perFeature ? Width : 1, initialSlope));

    /// <summary>Adds a row-wise <see cref="Softmax{T}"/> layer.</summary>
    public SequentialBuilder<T> Softmax() => Add(new Softmax<T>(Width));

    /// <summary>Adds a row-wise <see cref="LogSoftmax{T}"/> layer.</summary>
    public SequentialBuilder<T> LogSoftmax() => Add(new LogSoftmax<T>(Width));

    /// <summary>Adds a <see cref="Residual{T}"/> block <c>y = x + f(x)</c> (projected when f changes the width).</summary>
    /// <param name="body">Adds the layers of f to the builder it is given.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="body"/> adds no layer, or a layer it adds declares two tensors of one name or a tensor name holding a lone surrogate (the message names the layer).</exception>
    public SequentialBuilder<T> Residual(Action<SequentialBuilder<T>> body) => Add(new Residual<T>(Body(body, "residual")));

    /// <summary>Adds a <see cref="Concat{T}"/> block <c>y = [x, f(x)]</c>.</summary>
    /// <param name="body">Adds the layers of f to the builder it is given.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="body"/> adds no layer, or a layer it adds declares two tensors of one name or a tensor name holding a lone surrogate (the message names the layer).</exception>
    public SequentialBuilder<T> Concat(Action<SequentialBuilder<T>> body) => Add(new Concat<T>(Body(body, "concat")));

    /// <summary>Builds the model.</summary>
    /// <param name="maxBatch">The largest batch (at least 1).</param>
    /// <param name="seed">Seed of the model's random source (initialization, dropout).</param>
    /// <exception cref="InvalidOperationException">No layer was added.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1, or so large that the workspace would not fit in an array.</exception>
    /// <exception cref="ArgumentException">The layers declare more parameters than one buffer holds or a layer declares two tensors of one name or a tensor name holding a lone surrogate (the message names the layer).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public Sequential<T> Build(int maxBatch, ulong seed = 0)
    {
        // The builder's state, not an argument: the model's constructor would name its own argument 'layers'.
        if (_layers.Count == 0)
            throw new InvalidOperationException($"The builder has no layer: add at least one (Dense, an activation, …) to its input of {InputSize} features before Build.");
        return new(_layers, maxBatch, seed);
    }

    private IReadOnlyList<ILayer<T>> Body(Action<SequentialBuilder<T>> body, string block)
    {
        ArgumentNullException.ThrowIfNull(body);
        var inner = new SequentialBuilder<T>(Width, $"{block} body layer", "the block's input is");
        body(inner);
        return inner.Layers;
    }
}
