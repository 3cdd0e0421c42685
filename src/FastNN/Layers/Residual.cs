using System.Numerics;
using System.Numerics.Tensors;
using FastNN.Intrinsics;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>A residual block around a body of layers: <c>y = x + f(x)</c>, or <c>y = x Pᵀ + f(x)</c> with a learned projection P when f changes the width.</summary>
/// <remarks>
/// Parameters are named as in a PyTorch module with attributes <c>body</c> (an <c>nn.Sequential</c>) and
/// <c>projection</c> (an <c>nn.Linear(in, out, bias=False)</c>): <c>body.0.weight</c>, …, <c>projection.weight</c>.
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own buffers.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Residual<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerChain<T> _body;
    private readonly ParameterDeclaration[] _parameters;
    private readonly StateDeclaration[] _state;

    /// <summary>Creates <c>y = x + f(x)</c>, with a projection of x when the body's output width differs from its input width.</summary>
    /// <param name="body">The layers of f, each taking the previous one's output width.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentException">The body is empty or holds a null layer, or two consecutive layers disagree on a width (the message names both layers and shapes), or a layer declares two tensors of one name or a tensor name holding a lone surrogate.</exception>
    public Residual(params IEnumerable<ILayer<T>> body)
    {
        _body = new LayerChain<T>(body, j => $"residual body layer {j}", nameof(body));
        HasProjection = _body.InputSize != _body.OutputSize;
        var parameters = _body.Parameters.Select(p => p.Declaration with { Name = "body." + p.Declaration.Name }).ToList();
        if (HasProjection)
            parameters.Add(new ParameterDeclaration("projection.weight", [OutputSize, InputSize], ParameterKind.Weight));
        _parameters = [.. parameters];
        _state = [.. _body.State.Select(s => s.Declaration with { Name = "body." + s.Declaration.Name })];
    }

    /// <summary>The layers of f.</summary>
    public IReadOnlyList<ILayer<T>> Body => _body.Layers;

    /// <summary>Whether x is projected (the body changes the width).</summary>
    public bool HasProjection { get; }

    /// <inheritdoc/>
    public int InputSize => _body.InputSize;

    /// <inheritdoc/>
    public int OutputSize => _body.OutputSize;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => _state;

    /// <inheritdoc/>
    public int ScratchLength(int batch) => _body.ScratchLength(batch);

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers)
    {
        _body.Initialize(buffers);
        if (HasProjection)
            Dense<T>.InitializeLinear(buffers.Parameters[_body.ParameterLength..], InputSize, buffers.Context.Random);
    }

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        Span<T> fx = _body.Forward(x, buffers, batch);
        if (HasProjection)
        {
            // y = x Pᵀ + f(x)
            fx.CopyTo(y);
            Gemm.Multiply(false, true, batch, OutputSize, InputSize, T.One, x, InputSize, Projection(buffers.Parameters), InputSize, T.One, y, OutputSize);
        }
        else
        {
            TensorPrimitives.Add(x, fx, y);
        }
    }

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        _body.Backward(dx, dy, x, buffers, batch);
        if (HasProjection)
        {
            // dP += dYᵀ X;  dX += dY P
            Gemm.Multiply(true, false, OutputSize, InputSize, batch, T.One, dy, OutputSize, x, InputSize, T.One, Projection(buffers.Gradients), InputSize);
            if (!dx.IsEmpty)
                Gemm.Multiply(false, false, batch, InputSize, OutputSize, T.One, dy, OutputSize, Projection(buffers.Parameters), InputSize, T.One, dx, InputSize);
        }
        else if (!dx.IsEmpty)
        {
            // Through the caches: dx is read again at once by the layer before (see Arithmetic.Add)
            Arithmetic.Add(dx, dy, dx);
        }
    }

    private Span<T> Projection(Span<T> parameters) => parameters.Slice(_body.ParameterLength, OutputSize * InputSize);

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Residual");
        LayerJson.WriteLayers(writer, "body", _body.Layers);
    }
}
