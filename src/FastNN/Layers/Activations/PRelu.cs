using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;
using FastNN.Models;

namespace FastNN.Layers;

/// <summary>Parametric ReLU, as <c>nn.PReLU</c>: <c>y = x</c> for x &gt; 0, else <c>a·x</c> with a learnable slope a, shared or one per feature.</summary>
/// <remarks>Parameter: <c>weight</c>, <c>[num_parameters]</c> (kind <see cref="ParameterKind.PReluSlope"/>), initialized to 0.25 as PyTorch.
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own
/// buffers.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class PRelu<T> : ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterDeclaration[] _parameters;

    /// <summary>Creates the activation over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="slopes">Number of learnable slopes: 1 (shared, PyTorch's default) or <paramref name="features"/>.</param>
    /// <param name="initialSlope">Initial value of every slope (default 0.25, PyTorch's).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1, <paramref name="slopes"/> is neither 1 nor <paramref name="features"/>, or <paramref name="initialSlope"/> is not finite in <typeparamref name="T"/>.</exception>
    public PRelu(int features, int slopes = 1, double initialSlope = 0.25) : base(features)
    {
        if (slopes != 1 && slopes != features)
            throw new ArgumentOutOfRangeException(nameof(slopes), slopes, $"PReLU takes 1 slope or one per feature ({features}).");
        if (!T.IsFinite(T.CreateTruncating(initialSlope)))
            throw new ArgumentOutOfRangeException(nameof(initialSlope), initialSlope, $"initialSlope must be finite (as {typeof(T).Name}).");
        Slopes = slopes;
        InitialSlope = initialSlope;
        _parameters = [new ParameterDeclaration("weight", [slopes], ParameterKind.PReluSlope)];
    }

    /// <summary>Number of learnable slopes (1 or <see cref="ActivationLayer{T}.Features"/>).</summary>
    public int Slopes { get; }

    /// <summary>Initial value of every slope.</summary>
    public double InitialSlope { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<ParameterDeclaration> ParameterDeclarations => _parameters;

    /// <inheritdoc/>
    public override void Initialize(LayerBuffers<T> buffers) => buffers.Parameters.Fill(T.CreateTruncating(InitialSlope));

    /// <inheritdoc/>
    public override void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) =>
        Activations.PRelu(x, y, buffers.Parameters, Features);

    /// <inheritdoc/>
    /// <remarks>The slope gradients accumulate.</remarks>
    public override void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch) =>
        Activations.PReluBackward(x, dy, buffers.Parameters, Features, dx, buffers.Gradients); // dx empty: the slope gradient only

    private protected override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteString("type", "PReLU");
        writer.WriteNumber("num_parameters", Slopes);
        writer.WriteNumber("init", InitialSlope);
    }
}
