using System.Numerics;
using FastNN.Layers;

namespace FastNN.Data;

/// <summary>
/// k-fold splits for cross-validation: the rows are shuffled with a seed and dealt into k validation parts that
/// partition the rows; fold i trains on every row outside part i.
/// </summary>
/// <remarks>Thread safety: every method may be called from several threads at once.</remarks>
public static class Folds
{
    /// <summary>
    /// Plain k-fold: part sizes differ by at most one row.
    /// </summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="k">Number of folds, in <c>[2, rows]</c>.</param>
    /// <param name="seed">Seed of the shuffle; the same seed gives the same folds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative, or <paramref name="k"/> is less than 2 or greater than <paramref name="rows"/>.</exception>
    public static Fold[] KFold(int rows, int k, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, rows);
        int[] order = Enumerable.Range(0, rows).ToArray();
        Shuffler.Shuffle(order, new FastRandom((ulong)seed));
        return Deal([order], rows, k);
    }

    /// <summary>
    /// Stratified k-fold: the rows of each class are shuffled and dealt round-robin over the parts, continuing
    /// where the previous class stopped, so each part holds each class's count divided by k (±1), and part sizes
    /// differ by at most one row.
    /// </summary>
    /// <param name="labels">Class index of each row (a non-negative integer stored as <typeparamref name="T"/>).</param>
    /// <param name="k">Number of folds, in <c>[2, labels.Length]</c>.</param>
    /// <param name="seed">Seed of the shuffle; the same seed gives the same folds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 2 or greater than the number of rows.</exception>
    /// <exception cref="ArgumentException">A label is not a class index.</exception>
    public static Fold[] Stratified<T>(ReadOnlySpan<T> labels, int k, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, labels.Length);
        int[][] groups = ClassLabels.RowsByClass(labels, nameof(labels));
        var random = new FastRandom((ulong)seed);
        foreach (int[] group in groups)
            Shuffler.Shuffle(group, random);
        return Deal(groups, labels.Length, k);
    }

    // Deals the rows of the groups, in order, round-robin over k parts.
    private static Fold[] Deal(int[][] groups, int rows, int k)
    {
        var parts = new List<int>[k];
        for (int i = 0; i < k; i++)
            parts[i] = new List<int>(rows / k + 1);
        int next = 0;
        foreach (int[] group in groups)
        {
            foreach (int row in group)
            {
                parts[next].Add(row);
                next = (next + 1) % k;
            }
        }

        var folds = new Fold[k];
        var inValidation = new bool[rows];
        for (int i = 0; i < k; i++)
        {
            int[] validation = parts[i].Order().ToArray();
            Array.Clear(inValidation);
            foreach (int row in validation)
                inValidation[row] = true;
            int[] train = Enumerable.Range(0, rows).Where(r => !inValidation[r]).ToArray();
            folds[i] = new Fold(i, train, validation);
        }
        return folds;
    }
}
