using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>
/// The optimizers' rule for subnormal state: a moment, square average or momentum value whose magnitude falls below the
/// smallest normal number N of <typeparamref name="T"/> (2⁻¹²⁶ ≈ 1.18e-38 in float, 2⁻¹⁰²² ≈ 2.23e-308 in double) is
/// stored, and used in the rest of the update, as a zero of the same sign
/// (<see cref="IVectorWidth{T, TVector}.FlushSubnormals"/>); and a squared-gradient term c·g² is taken as zero where
/// |g| &lt; √(N / c), so that it never underflows (<see cref="SquareFloor"/>).
/// </summary>
/// <remarks>
/// <para>Why: with no gradient behind it (a unit dead on every row of a memorized batch) a moment decays geometrically,
/// m ← β1·m, into the subnormals, and for β1 = 0.9 it stays there, since 0.9 times a few units in the last place rounds
/// back to the same few units. Multiplying, dividing or taking the square root of a subnormal, or a product that
/// underflows, takes a slow path on x86 (1.3 ns against 3.0 ns per 512-bit multiply on the Zen 5 of
/// benchmarks/RESULTS.md), and in a long run a third of a network's first moments can sit there: the whole AdamW pass
/// then ran 2-3x slower, in PyTorch as well.</para>
/// <para>This is what <c>torch.set_flush_denormal(True)</c> (the x86 FTZ and DAZ modes) does for all of PyTorch,
/// limited here to the optimizer's state. Results differ from PyTorch's default only where PyTorch holds a subnormal
/// state value or adds a subnormal squared term, whose share of a parameter's update is below γ·N/ε. Adam and RMSprop apply
/// the rule only where ε is large enough for that (<see cref="AppliesWith"/>).</para>
/// </remarks>
internal static class StateFlush<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The smallest positive normal number of <typeparamref name="T"/>.</summary>
    public static T SmallestNormal =>
        typeof(T) == typeof(float) ? T.CreateTruncating(BitConverter.Int32BitsToSingle(0x0080_0000))
        : T.CreateTruncating(BitConverter.Int64BitsToDouble(0x0010_0000_0000_0000));

    /// <summary>
    /// √(N / c): the |g| below which c·g² falls under <see cref="SmallestNormal"/> N. The squared-gradient term
    /// (1 − β2)·g² of a vanishing gradient (|g| ≈ 1e-20 in the first layers of a 20-layer sigmoid net) would otherwise
    /// underflow on every step, as slow as a subnormal operand, and the AdamW pass of that net ran 2x slower.
    /// </summary>
    /// <param name="c">The factor of g², in (0, 1].</param>
    public static T SquareFloor(double c) => T.CreateTruncating(Math.Sqrt(double.CreateTruncating(SmallestNormal) / c));

    /// <summary>
    /// Whether Adam and RMSprop may apply the rule, whose squares c·g² below N and values v below N have square roots
    /// (bias-corrected with Adam) below <see cref="SquareFloor"/>(c) = √(N / c): only where that is at most ε·2⁻²⁴
    /// (2⁻⁵³ in double), so that dropping them changes the denominator √v + ε by at most a unit in its last place (every
    /// ε from 6e-11 in float with c = 1 − β2 = 0.001, 2e-11 with c = 1 − α = 0.01, the default 1e-8 included).
    /// </summary>
    /// <remarks>With a smaller ε (0 above all, which PyTorch allows) the denominator is √v alone, and a v flushed to 0
    /// would make the step m / 0 = ±∞ (or m / ε, huge) where PyTorch's subnormal v gives an ordinary one.</remarks>
    /// <param name="epsilon">ε, added to the denominator.</param>
    /// <param name="c">The factor of g² in v, in (0, 1].</param>
    public static bool AppliesWith(double epsilon, double c) =>
        double.CreateTruncating(SquareFloor(c)) <= epsilon * double.CreateTruncating(T.BitIncrement(T.One) - T.One) / 2;

    /// <summary>x with its subnormal lanes flushed when <paramref name="flush"/> (<see cref="AppliesWith"/>), x itself otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Flush<TWidth, TVector>(TVector x, bool flush)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        flush ? TWidth.FlushSubnormals(x) : x;

    /// <summary>x, or zero where |x| is below <paramref name="floor"/> (NaN passes through).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ZeroBelow<TWidth, TVector>(TVector x, TVector floor)
        where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        TWidth.Select(TWidth.LessThan(TWidth.Abs(x), floor), TWidth.Broadcast(T.Zero), x);
}
