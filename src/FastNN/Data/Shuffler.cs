namespace FastNN.Data;

/// <summary>
/// A permutation of row indices <c>0 … rows − 1</c>, reshuffled in place (Fisher–Yates) once per epoch,
/// so a training loop visits the rows in a new order each epoch without allocating.
/// </summary>
public sealed class Shuffler
{
    private readonly int[] _order;
    private readonly Random _random;

    /// <summary>Creates the identity order over <paramref name="rows"/> rows.</summary>
    /// <param name="rows">Number of rows (at least 0).</param>
    /// <param name="seed">Seed of the random sequence; the same seed gives the same orders. <see langword="null"/> seeds from the clock.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    public Shuffler(int rows, int? seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _order = new int[rows];
        _random = seed is int s ? new Random(s) : new Random();
        ResetOrder();
    }

    /// <summary>The current order of the rows.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Draws a new uniformly random order (from the current one). Allocates nothing.</summary>
    public void Shuffle() => Shuffle(_order, _random);

    /// <summary>Restores the identity order <c>0 … rows − 1</c>.</summary>
    public void ResetOrder()
    {
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
    }

    /// <summary>Shuffles <paramref name="values"/> in place with Fisher–Yates: each of the n! orders is equally likely.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void Shuffle(Span<int> values, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
