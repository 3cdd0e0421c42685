using System.Numerics;
using FastNN.Layers;

namespace FastNN.Inference;

/// <summary>
/// Any other layer, run through its own <see cref="ILayer{T}.Forward"/> in evaluation mode on a snapshot of its
/// parameters and state: normalization (with its running statistics), softmax, per-feature PReLU, unfused
/// activations, user layers.
/// </summary>
/// <remarks>
/// Built-in layers read their parameters and state and write only their output and scratch in evaluation mode, so
/// concurrent calls with their own scratch are safe. A user layer is run the same way, and must be as well behaved.
/// </remarks>
internal sealed class LayerStep<T> : InferenceStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ILayer<T> _layer;
    private readonly T[] _parameters;
    private readonly T[] _gradients;
    private readonly T[] _state;
    private readonly LayerContext _context;
    private readonly string _name;

    public LayerStep(ILayer<T> layer, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state, string name)
        : base(layer.InputSize, layer.OutputSize)
    {
        _layer = layer;
        _parameters = parameters.ToArray();
        // Never written by a forward pass, but LayerBuffers slices it alongside the parameters.
        _gradients = new T[parameters.Length];
        _state = state.ToArray();
        _context = new LayerContext(0) { Training = false };
        _name = name;
    }

    public override string Name => _name;

    public override int ScratchLength(int rows) => _layer.ScratchLength(rows);

    public override void Run(ReadOnlySpan<T> x, Span<T> y, int rows, Span<T> scratch) =>
        _layer.Forward(y, x, new LayerBuffers<T>(_parameters, _gradients, _state, scratch[.._layer.ScratchLength(rows)], _context), rows);
}
