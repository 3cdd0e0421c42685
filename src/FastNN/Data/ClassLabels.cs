using System.Numerics;

namespace FastNN.Data;

/// <summary>Reads class indices stored as floating-point targets.</summary>
internal static class ClassLabels
{
    /// <summary>The class index held by <paramref name="value"/>; throws unless it is a non-negative integer.</summary>
    public static int ToIndex<T>(T value, int row, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsInteger(value) || T.IsNegative(value) || value > T.CreateTruncating(int.MaxValue))
            throw new ArgumentException($"Target {value} at row {row} is not a class index (a non-negative integer).", paramName);
        return int.CreateTruncating(value);
    }

    /// <summary>The number of classes: one more than the largest class index.</summary>
    public static int Count<T>(ReadOnlySpan<T> targets, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int max = -1;
        for (int i = 0; i < targets.Length; i++)
            max = Math.Max(max, ToIndex(targets[i], i, paramName));
        return max + 1;
    }

    /// <summary>The row indices of each class, in ascending row order, indexed by class (empty for absent classes).</summary>
    public static int[][] RowsByClass<T>(ReadOnlySpan<T> targets, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var groups = new List<int>[Count(targets, paramName)];
        for (int c = 0; c < groups.Length; c++)
            groups[c] = [];
        for (int i = 0; i < targets.Length; i++)
            groups[int.CreateTruncating(targets[i])].Add(i);
        return groups.Select(g => g.ToArray()).ToArray();
    }
}
