using System.Globalization;

namespace FastNN.Layers;

/// <summary>
/// A small, fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose whole state can be
/// saved and restored, so a stochastic pass (dropout) or a shuffle can be replayed exactly.
/// </summary>
/// <remarks>Thread safety: not thread-safe: each generator is one sequence, drawn by one thread at a time.</remarks>
public sealed class FastRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, zero included.</param>
    public FastRandom(ulong seed) => Reseed(seed);

    /// <summary>Restarts the sequence fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, zero included.</param>
    public void Reseed(ulong seed)
    {
        // SplitMix64 spreads any seed (zero included) over the four words, as the xoshiro authors recommend.
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>The full generator state, for <see cref="Restore"/>.</summary>
    public (ulong, ulong, ulong, ulong) State => (_s0, _s1, _s2, _s3);

    /// <summary>Returns the generator to a state read from <see cref="State"/>.</summary>
    /// <param name="state">A value of <see cref="State"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="state"/> is all zero, which no generator can reach (xoshiro256** would return 0 forever from it); the generator is unchanged.</exception>
    public void Restore((ulong, ulong, ulong, ulong) state)
    {
        if (state == (0, 0, 0, 0))
            throw new ArgumentException($"A {nameof(FastRandom)} state cannot be all zero: xoshiro256** would return 0 forever from it, and no generator reaches it.", nameof(state));
        (_s0, _s1, _s2, _s3) = state;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>Fills <paramref name="destination"/> with the next 64-bit draws: the values that as many
    /// <see cref="NextUInt64"/> calls would return, in order, drawn with the state in registers.</summary>
    /// <param name="destination">Overwritten with the draws.</param>
    public void Fill(Span<ulong> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = Step(ref s0, ref s1, ref s2, ref s3);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without bias.</summary>
    /// <param name="maxExclusive">The exclusive upper bound, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is below 1.</exception>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        // Lemire (2019): the high half of a 32×32-bit product is uniform once the few low halves below
        // 2³² mod range are rejected; the modulo is only computed in the rare case that can need it.
        uint range = (uint)maxExclusive;
        ulong product = (NextUInt64() >> 32) * range;
        if ((uint)product < range)
        {
            uint threshold = (0u - range) % range;
            while ((uint)product < threshold)
                product = (NextUInt64() >> 32) * range;
        }
        return (int)(product >> 32);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="low">Inclusive lower bound.</param>
    /// <param name="high">Exclusive upper bound, at least <paramref name="low"/> (equal: always <paramref name="low"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="high"/> is below <paramref name="low"/>, or the range is not finite (NaN or infinite bounds), as PyTorch's <c>uniform_</c>.</exception>
    public double NextDouble(double low, double high)
    {
        // A reversed range would draw from (high, low], outside the documented interval, without a word.
        if (!(low <= high) || !double.IsFinite(high - low))
            throw new ArgumentOutOfRangeException(nameof(high), high, string.Create(CultureInfo.InvariantCulture, $"The range [{low}, {high}) must be finite with low ≤ high."));
        return low + (high - low) * NextDouble();
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
