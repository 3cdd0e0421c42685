using System.Globalization;
using System.Numerics;

namespace FastNN.Data;

/// <summary>Reads class indices stored as floating-point targets.</summary>
internal static class ClassLabels
{
    /// <summary>The class index held by <paramref name="value"/>; throws unless it is a non-negative integer.</summary>
    public static int ToIndex<T>(T value, int row, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // 2³¹ exactly (int.MaxValue rounds up to it in float, where it was taken and saturated to int.MaxValue).
        if (!T.IsInteger(value) || T.IsNegative(value) || value >= T.CreateTruncating(2147483648.0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Target {value} at row {row} is not a class index (a non-negative integer)."), paramName);
        return int.CreateTruncating(value);
    }

    /// <summary>The row indices of each class present, in ascending row order, classes in ascending index order.</summary>
    /// <remarks>Only the classes present: an index up to int.MaxValue costs one group, not a list per index below it.</remarks>
    public static int[][] RowsByClass<T>(ReadOnlySpan<T> targets, string paramName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < targets.Length; i++)
        {
            int c = ToIndex(targets[i], i, paramName);
            if (!groups.TryGetValue(c, out List<int>? rows))
                groups[c] = rows = [];
            rows.Add(i);
        }
        return [.. groups.Values.Select(g => g.ToArray())];
    }
}
