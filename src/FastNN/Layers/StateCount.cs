using System.Numerics;

namespace FastNN.Layers;

/// <summary>
/// Counts in a model's state buffer (a <see cref="StateDeclaration"/> with <see cref="StateDeclaration.IsInteger"/>,
/// such as BatchNorm1d's <c>num_batches_tracked</c>), which PyTorch keeps as 64-bit integers.
/// </summary>
/// <remarks>
/// <para>A float holds every integer only up to 2^24 (16,777,216): one element would stop counting there. So a count
/// tensor of n counts takes 2n elements of the state buffer: first the n counts rounded to the element type (what
/// <see cref="Models.Sequential{T}.Tensor"/> shows), then the n remainders (count − rounded), integers too, which the
/// element type holds exactly wherever the count is exact: every 64-bit count in a double model, and in a float model
/// every count within ±2^48 (its remainder is below 2^24 there). The layout is the same in float and double models. Both
/// parts are values, not bit patterns: copying the state buffer (the trainer's best epoch, a checkpoint's
/// <c>best_state</c>) keeps a count, converting it element by element to the other type keeps it approximately (exactly
/// within ±2^24), and zeros are a count of 0. Model files and checkpoints take only counts a run can leave and the model
/// holds exactly: from 0 to 2^48 in a float model, any non-negative 64-bit count in a double one (loading refuses
/// another with <see cref="IO.ModelFileException"/>, saving with <see cref="ArgumentException"/>).</para>
/// <para>Thread safety: stateless; every method may be called from several threads at once on different spans.</para>
/// </remarks>
public static class StateCount
{
    /// <summary>Elements of the state buffer that <paramref name="counts"/> counts take: two each.</summary>
    /// <param name="counts">The count tensor's <see cref="StateDeclaration.Length"/>.</param>
    public static int BufferLength(int counts) => 2 * counts;

    /// <summary>
    /// The largest count a state buffer of <typeparamref name="T"/> promises to hold exactly: every 64-bit count in a
    /// double model, 2^48 in a float one. Model files and checkpoints refuse a count past it, or a negative one.
    /// </summary>
    internal static long Largest<T>() where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? 1L << 48 : long.MaxValue;

    /// <summary>Count <paramref name="index"/> of a count tensor whose elements are <paramref name="tensor"/> (its whole <see cref="BufferLength"/>).</summary>
    /// <param name="tensor">The tensor's elements in the state buffer.</param>
    /// <param name="index">Which count, from 0.</param>
    /// <returns>The count: the sum of its two parts, each without its fraction (a count set to a fraction by hand holds one).</returns>
    /// <remarks>Parts whose sum no <see cref="long"/> holds give <see cref="long.MaxValue"/> or <see cref="long.MinValue"/>.</remarks>
    public static long Get<T>(ReadOnlySpan<T> tensor, int index) where T : unmanaged, IFloatingPointIeee754<T> =>
        long.CreateSaturating(Sum(tensor, index));

    /// <summary>
    /// The sum of count <paramref name="index"/>'s two parts, each without its fraction, exact while the parts lie within
    /// ±2^127, and saturated where they (or their sum) do not: Int128 addition would wrap there, a large positive count
    /// becoming a small negative one.
    /// </summary>
    internal static Int128 Sum<T>(ReadOnlySpan<T> tensor, int index) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Int128 value = Int128.CreateSaturating(tensor[index]), remainder = Int128.CreateSaturating(tensor[tensor.Length / 2 + index]);
        Int128 sum = value + remainder;
        // Only parts of one sign overflow, and then the sum's sign is the other.
        bool negative = Int128.IsNegative(value);
        return negative == Int128.IsNegative(remainder) && negative != Int128.IsNegative(sum)
            ? negative ? Int128.MinValue : Int128.MaxValue
            : sum;
    }

    /// <summary>Sets count <paramref name="index"/> of a count tensor whose elements are <paramref name="tensor"/>.</summary>
    /// <param name="tensor">The tensor's elements in the state buffer (its whole <see cref="BufferLength"/>).</param>
    /// <param name="index">Which count, from 0.</param>
    /// <param name="count">The count: exact in a double model, and in a float model within ±2^48 (beyond, its remainder is rounded).</param>
    public static void Set<T>(Span<T> tensor, int index, long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T rounded = T.CreateTruncating(count);
        tensor[index] = rounded;
        // count − rounded: an integer below 2^11 in magnitude for a double, below 2^24 for a float within ±2^48.
        tensor[tensor.Length / 2 + index] = T.CreateTruncating(count - Int128.CreateSaturating(rounded));
    }
}
