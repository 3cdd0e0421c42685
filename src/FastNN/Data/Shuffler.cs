using FastNN.Layers;

namespace FastNN.Data;

/// <summary>
/// A permutation of row indices <c>0 … rows − 1</c>, drawn afresh (Fisher–Yates) once per epoch from a
/// <see cref="FastRandom"/>, so a training loop visits the rows in a new order each epoch without allocating.
/// </summary>
/// <remarks>
/// Each order depends only on the generator's state when <see cref="Shuffle()"/> is called, not on the previous
/// order, so saving and restoring <see cref="FastRandom.State"/> is enough to replay the following epochs
/// (that is what a checkpoint does).
/// <para>Thread safety: not thread-safe: each order advances the generator; one thread at a time.</para>
/// </remarks>
public sealed class Shuffler
{
    private readonly int[] _order;
    private readonly FastRandom _random;

    /// <summary>Creates the identity order over <paramref name="rows"/> rows, shuffled by draws from <paramref name="random"/>.</summary>
    /// <param name="rows">Number of rows (at least 0).</param>
    /// <param name="random">The generator; shared, not copied, so its state advances with every <see cref="Shuffle()"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public Shuffler(int rows, FastRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentNullException.ThrowIfNull(random);
        _order = new int[rows];
        _random = random;
        ResetOrder();
    }

    /// <summary>The current order of the rows.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Draws a new uniformly random order of the rows (from the identity, so it depends only on the generator). Allocates nothing.</summary>
    public void Shuffle()
    {
        ResetOrder();
        Shuffle(_order, _random);
    }

    /// <summary>Restores the identity order <c>0 … rows − 1</c>.</summary>
    public void ResetOrder()
    {
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
    }

    /// <summary>Shuffles <paramref name="values"/> in place with Fisher–Yates: each of the n! orders is equally likely.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void Shuffle(Span<int> values, FastRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.NextInt32(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
