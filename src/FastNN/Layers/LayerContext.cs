namespace FastNN.Layers;

/// <summary>What a model shares with all its layers during a pass: the mode and the random source.</summary>
/// <remarks>Thread safety: not thread-safe: the mode and random stream of one model, changed as it runs; one thread at
/// a time, with its model.</remarks>
public sealed class LayerContext
{
    /// <summary>Creates a context in training mode with a random source seeded by <paramref name="seed"/>.</summary>
    /// <param name="seed">Seed of <see cref="Random"/>.</param>
    public LayerContext(ulong seed) => Random = new FastRandom(seed);

    /// <summary>Training mode (batch statistics, dropout on) when true; evaluation mode (running statistics, dropout off) when false.</summary>
    public bool Training { get; set; } = true;

    /// <summary>The model's seeded random source, used by initialization and dropout.</summary>
    public FastRandom Random { get; }
}
