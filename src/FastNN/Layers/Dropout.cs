using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Layers;

/// <summary>Inverted dropout, as PyTorch's <c>nn.Dropout</c>: in training each element is zeroed with probability p and the rest scaled by 1/(1 − p); identity in evaluation.</summary>
/// <remarks>
/// The mask is drawn from the model's seeded <see cref="LayerContext.Random"/>, so a run is reproducible from the
/// seed, and restoring the generator's <see cref="FastRandom.State"/> before a forward pass replays the same mask
/// (that is how <see cref="Gradients.GradientCheck"/> fixes it). The backward pass uses the mask saved by the
/// forward pass. PyTorch's generator differs, so masks are not PyTorch's.
/// <para>Thread safety: immutable (shape and settings only; parameters, state and scratch live in the LayerBuffers each
/// call receives), so one instance may serve any number of models and threads, each call with its own buffers (the
/// random stream is the LayerContext's).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Dropout<T> : ILayer<T>, IJsonLayer where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a dropout over <paramref name="features"/> features.</summary>
    /// <param name="features">Features per row (at least 1).</param>
    /// <param name="p">Probability of zeroing an element, in [0, 1] (default 0.5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1 or <paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(int features, double p = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        Features = features;
        P = p;
    }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public int InputSize => Features;

    /// <inheritdoc/>
    public int OutputSize => Features;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];

    /// <inheritdoc/>
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];

    /// <inheritdoc/>
    public int ScratchLength(int batch) => checked(batch * Features); // the mask, already scaled: 0 or 1/(1 − p); past an int: OverflowException, which the model reports as a batch too large

    /// <inheritdoc/>
    public void Initialize(LayerBuffers<T> buffers)
    {
    }

    /// <inheritdoc/>
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        Span<T> mask = buffers.Scratch[..x.Length];
        if (!buffers.Training)
        {
            mask.Fill(T.One);
            x.CopyTo(y);
            return;
        }
        // As PyTorch's noise.div_(1 − p): 1 − p rounded to T, then divided in T (in float an ulp off float(1/(1 − p)) at some p).
        T keep = P < 1 ? T.One / T.CreateTruncating(1 - P) : T.Zero;
        // Each 64-bit draw gives two 32-bit uniforms u; an element is dropped when u < p·2³² (exact to 2⁻³²). The draws
        // are made a chunk at a time into the stack, then mask and product in one branch-free pass.
        ulong threshold = (ulong)Math.Round(P * 4294967296.0);
        FastRandom random = buffers.Context.Random;
        Span<ulong> draws = stackalloc ulong[Chunk / 2];
        for (var c = new ChunkWalk(x.Length, Chunk); c.MoveNext();)
        {
            Span<ulong> bits = draws[..((c.Length + 1) / 2)];
            random.Fill(bits);
            DropoutKernels.Apply(bits, threshold, keep, x.Slice(c.Start, c.Length), mask.Slice(c.Start, c.Length), y.Slice(c.Start, c.Length));
        }
    }

    // Elements per chunk of draws: even, so that every chunk but the last uses both halves of each draw, as one pass
    // over the whole mask would (the same masks for the same seed); 8 KB of draws on the stack.
    private const int Chunk = 2048;

    /// <inheritdoc/>
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
    {
        if (!dx.IsEmpty)
            System.Numerics.Tensors.TensorPrimitives.Multiply(dy, buffers.Scratch[..dy.Length], dx);
    }

    void IJsonLayer.Write(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteString("type", "Dropout");
        writer.WriteNumber("p", P);
    }
}
