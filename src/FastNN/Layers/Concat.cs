using System.Numerics;
using System.Numerics.Tensors;

namespace FastNN.Layers;

/// <summary>A DenseNet-style block: the input followed by a body's output, <c>y = [x, f(x)]</c> along the features.</summary>
/// <remarks>Output width: <c>in + f.out</c>. Parameters are named <c>body.0.weight</c>, … as a PyTorch module with an <c>nn.Sequential</c> attribute <c>body</c>.
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Concat<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerChain<T> _body;
    private readonly ParameterDeclaration[] _parameters;
    private readonly StateDeclaration[] _state;

    /// <summary>Creates <c>y = [x, f(x)]</c>.</summary>
    /// <param name="body">The layers of f, each taking the previous one's output width.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentException">The body is empty or holds a null layer, or two consecutive layers disagree on a width (the message names both layers and shapes), or a layer declares two tensors of one name or a tensor name holding a lone surrogate.</exception>
    public Concat(params IEnumerable<ILayer<T>> body)
    {
        _body = new LayerChain<T>(body, j => $"concat body layer {j}", nameof(body));
        _parameters = [.. _body.Parameters.Select(p => p.Declaration with { Name = "body." + p.Declaration.Name })];
        _state = [.. _body.State.Select(s => s.Declaration with { Name = "body." + s.Declaration.Name })];
    }

    /// <summary>The layers of f.</summary>
    public IReadOnlyList<ILayer<T>> Body => _body.Layers;

    /// <inheritdoc/>
    public int InputSize => _body.InputSize;

    /// <inheritdoc/>
    public int OutputSize => _body.InputSize + _body.OutputSize;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => _state;

    /// <inheritdoc/>
    public int ScratchLength(int batch) => checked(_body.ScratchLength(batch) + batch * _body.OutputSize); // + dy's f(x) columns, made contiguous; past an int: OverflowException, which the model reports as a batch too large

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers) => _body.Initialize(buffers);

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        int inWidth = InputSize, bodyWidth = _body.OutputSize;
        Span<T> fx = _body.Forward(x, BodyBuffers(buffers, batch), batch);
        for (int r = 0; r < batch; r++)
        {
            x.Slice(r * inWidth, inWidth).CopyTo(y.Slice(r * OutputSize, inWidth));
            fx.Slice(r * bodyWidth, bodyWidth).CopyTo(y.Slice(r * OutputSize + inWidth, bodyWidth));
        }
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        int inWidth = InputSize, bodyWidth = _body.OutputSize;
        Span<T> dfx = buffers.Scratch.Slice(_body.ScratchLength(batch), batch * bodyWidth);
        for (int r = 0; r < batch; r++)
            dy.Slice(r * OutputSize + inWidth, bodyWidth).CopyTo(dfx.Slice(r * bodyWidth, bodyWidth));
        _body.Backward(dx, dfx, x, BodyBuffers(buffers, batch), batch);
        if (dx.IsEmpty)
            return;
        for (int r = 0; r < batch; r++)
        {
            Span<T> dxRow = dx.Slice(r * inWidth, inWidth);
            TensorPrimitives.Add(dxRow, dy.Slice(r * OutputSize, inWidth), dxRow);
        }
    }

    private LayerBuffers<T> BodyBuffers(LayerBuffers<T> buffers, int batch) =>
        buffers.Slice(0, buffers.Parameters.Length, 0, buffers.State.Length, 0, _body.ScratchLength(batch));

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Concat");
        LayerJson.WriteLayers(writer, "body", _body.Layers);
    }
}
