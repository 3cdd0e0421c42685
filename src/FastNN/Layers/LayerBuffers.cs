using System.Numerics;

namespace FastNN.Layers;

/// <summary>One layer's slices of its model's buffers, handed to every <see cref="ILayer{T}"/> call.</summary>
/// <remarks>Thread safety: a ref struct, so it never leaves the stack of the thread that made it; the memory it points
/// to belongs to the caller.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly ref struct LayerBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Bundles the slices.</summary>
    /// <param name="parameters">The layer's parameters, laid out as its <see cref="ILayer{T}.ParameterDeclarations"/>.</param>
    /// <param name="gradients">Their gradients, same layout; backward passes accumulate into them.</param>
    /// <param name="state">The layer's state, laid out as its <see cref="ILayer{T}.StateDeclarations"/>.</param>
    /// <param name="scratch">At least <see cref="ILayer{T}.ScratchLength"/> elements for the current batch.</param>
    /// <param name="context">Mode and random source.</param>
    public LayerBuffers(Span<T> parameters, Span<T> gradients, Span<T> state, Span<T> scratch, LayerContext context)
    {
        Parameters = parameters;
        Gradients = gradients;
        State = state;
        Scratch = scratch;
        Context = context;
    }

    /// <summary>The layer's parameters.</summary>
    public Span<T> Parameters { get; }

    /// <summary>The gradients of the parameters (accumulated by backward passes).</summary>
    public Span<T> Gradients { get; }

    /// <summary>The layer's non-learnable state.</summary>
    public Span<T> State { get; }

    /// <summary>Scratch saved between a forward pass and its backward pass.</summary>
    public Span<T> Scratch { get; }

    /// <summary>Mode and random source shared by the whole model.</summary>
    public LayerContext Context { get; }

    /// <summary>Whether the model is in training mode.</summary>
    public bool Training => Context.Training;

    /// <summary>The slices of an inner layer, for layers built from other layers.</summary>
    /// <param name="parameterOffset">Start of the inner parameters (and gradients).</param>
    /// <param name="parameterLength">Their length.</param>
    /// <param name="stateOffset">Start of the inner state.</param>
    /// <param name="stateLength">Its length.</param>
    /// <param name="scratchOffset">Start of the inner scratch.</param>
    /// <param name="scratchLength">Its length.</param>
    public LayerBuffers<T> Slice(int parameterOffset, int parameterLength, int stateOffset, int stateLength, int scratchOffset, int scratchLength) =>
        new(Parameters.Slice(parameterOffset, parameterLength), Gradients.Slice(parameterOffset, parameterLength),
            State.Slice(stateOffset, stateLength), Scratch.Slice(scratchOffset, scratchLength), Context);
}
