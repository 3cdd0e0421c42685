using System.Numerics;

namespace FastNN.Layers;

/// <summary>
/// A layer of a <see cref="Models.Sequential{T}"/>: a forward and a backward pass over spans, in llm.c's style.
/// Implement it for your own layers, generic over T as the built-in ones are; <see cref="Gradients.GradientCheck"/> checks them like the built-in ones, as <c>ILayer&lt;double&gt;</c>.
/// </summary>
/// <remarks>
/// <para>A layer holds only its configuration. Its parameters, their gradients, its state (such as running
/// statistics) and its scratch (values saved for the backward pass) are slices of buffers owned by the model and
/// handed to every call through <see cref="LayerBuffers{T}"/>, so one layer object may serve several models and a
/// pass allocates nothing.</para>
/// <para>Shapes are row-major and batch first: the input is <c>[batch, InputSize]</c>, the output
/// <c>[batch, OutputSize]</c>. Parameters are laid out one after another in the order of
/// <see cref="ParameterDeclarations"/>, each row-major; state likewise in the order of
/// <see cref="StateDeclarations"/>, each taking its <see cref="StateDeclaration.BufferLength"/> elements (counts,
/// read and written with <see cref="StateCount"/>, take two each).</para>
/// <para>Thread safety: the built-in layers are immutable, all data passing through the LayerBuffers of each call, and
/// <see cref="FastNN.Inference.Predictor{T}"/> runs a layer from several threads at once on that basis: a layer of your
/// own should keep no per-call data in its fields either, or say that it must not be shared.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ILayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features per input row.</summary>
    int InputSize { get; }

    /// <summary>Features per output row.</summary>
    int OutputSize { get; }

    /// <summary>The learnable tensors, in buffer order, named as in a PyTorch state dict relative to the layer (<c>weight</c>, <c>bias</c>); no two of
    /// them, nor a parameter and a state tensor, may share a name (a model refuses the layer).</summary>
    IReadOnlyList<ParameterDeclaration> ParameterDeclarations { get; }

    /// <summary>The non-learnable tensors (such as <c>running_mean</c>), in buffer order; optimizers never see them.</summary>
    IReadOnlyList<StateDeclaration> StateDeclarations { get; }

    /// <summary>Elements of scratch the layer needs for a batch of <paramref name="batch"/> rows; must not decrease as the batch grows.</summary>
    /// <param name="batch">Rows in the batch (at least 1).</param>
    int ScratchLength(int batch);

    /// <summary>Writes initial values into <see cref="LayerBuffers{T}.Parameters"/> and <see cref="LayerBuffers{T}.State"/>, drawing from <see cref="LayerContext.Random"/>.</summary>
    /// <param name="buffers">The layer's slices of the model's buffers.</param>
    void Initialize(LayerBuffers<T> buffers);

    /// <summary>Computes the output <paramref name="y"/> from the input <paramref name="x"/>, saving into the scratch what <see cref="Backward"/> needs.</summary>
    /// <param name="y">Output <c>[batch, OutputSize]</c>, overwritten.</param>
    /// <param name="x">Input <c>[batch, InputSize]</c>.</param>
    /// <param name="buffers">Parameters, state (updated in training mode where the layer keeps running statistics), scratch, mode and random source.</param>
    /// <param name="batch">Rows in the batch.</param>
    void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch);

    /// <summary>Back-propagates <paramref name="dy"/> after a <see cref="Forward"/> of the same batch.</summary>
    /// <param name="dx">Gradient with respect to the input <c>[batch, InputSize]</c>, OVERWRITTEN; or empty when nothing needs it
    /// (the first layer of a model whose <see cref="Models.Sequential{T}.ComputeInputGradient"/> is off): skip it then, and still accumulate the parameter gradients.</param>
    /// <param name="dy">Gradient with respect to the output <c>[batch, OutputSize]</c>.</param>
    /// <param name="x">The input the forward pass saw.</param>
    /// <param name="y">The output the forward pass wrote.</param>
    /// <param name="buffers">Parameters, scratch as the forward pass left it, and <see cref="LayerBuffers{T}.Gradients"/>, which ACCUMULATE (+=).</param>
    /// <param name="batch">Rows in the batch.</param>
    void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch);
}
