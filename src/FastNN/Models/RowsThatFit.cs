namespace FastNN.Models;

/// <summary>How many rows of a model's working memory fit in the arrays that hold it.</summary>
internal static class RowsThatFit
{
    /// <summary>
    /// The most rows, up to <paramref name="most"/>, whose largest array (<paramref name="elements"/> of the rows, which
    /// never shrinks as the rows grow, <see cref="long.MaxValue"/> when it does not count in an int) fits in an array;
    /// 0 when not even one row's does. A binary search: about log₂(most) calls of <paramref name="elements"/>.
    /// </summary>
    public static int Most(Func<int, long> elements, int most)
    {
        if (elements(most) <= Array.MaxLength)
            return most;
        int low = 0, high = most; // low's arrays fit (or low is 0), high's do not
        while (high - low > 1)
        {
            int middle = low + (high - low) / 2;
            if (elements(middle) <= Array.MaxLength)
                low = middle;
            else
                high = middle;
        }
        return low;
    }
}
