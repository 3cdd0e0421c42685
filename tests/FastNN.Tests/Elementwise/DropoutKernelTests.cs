using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// The dropout kernel against its rule written out per element: the 32 bits of element i are the low half of draw i/2
/// for even i and the high half for odd i; dropped below the threshold. Every length 0-80 (past ten 256-bit vectors of
/// float), misaligned, in place and not, float and double, thresholds 0, p·2³² and 2³², and bits near the threshold.
/// </summary>
public class DropoutKernelTests
{
    [Fact]
    public void FloatMaskAndProductFollowTheBitsOfEachElement() => Check<float>();

    [Fact]
    public void DoubleMaskAndProductFollowTheBitsOfEachElement() => Check<double>();

    // The constraint admits Half, as it does for every element-wise kernel, which run it on their scalar path; the vector
    // loop here threw the runtime's "Specified type is not supported" (Vector<Half>), naming nothing.
    [Fact]
    public void HalfMaskAndProductFollowTheBitsOfEachElement() => Check<Half>();

    [Fact]
    public void BadArgumentsAreRejected()
    {
        float[] x = new float[5], m = new float[5], y = new float[5];
        Assert.Throws<ArgumentException>("bits", () => DropoutKernels.Apply<float>(new ulong[2], 0, 1f, x, m, y));
        Assert.Throws<ArgumentException>("mask", () => DropoutKernels.Apply<float>(new ulong[3], 0, 1f, x, new float[4], y));
        Assert.Throws<ArgumentException>("mask", () => DropoutKernels.Apply<float>(new ulong[3], 0, 1f, x, x, y));
        Assert.Throws<ArgumentOutOfRangeException>("threshold", () => DropoutKernels.Apply<float>(new ulong[3], (1UL << 32) + 1, 1f, x, m, y));
        // keep = 1/(1 − p) is at least 1 for p in [0, 1) (0 when everything is dropped): NaN, ∞ or a negative keep would
        // write NaN, ∞ or sign-flipped outputs without a word.
        foreach (float keep in new[] { float.NaN, float.PositiveInfinity, -2f })
            Assert.Throws<ArgumentOutOfRangeException>("keep", () => DropoutKernels.Apply<float>(new ulong[3], 0, keep, x, m, y));
    }

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(3);
        foreach (ulong threshold in new ulong[] { 0, (ulong)(0.3 * 4294967296.0), 1UL << 31, 1UL << 32 })
        {
            for (int n = 0; n <= 80; n++)
            {
                var bits = new ulong[(n + 1) / 2];
                for (int j = 0; j < bits.Length; j++)
                {
                    // every fourth half at the threshold or one below it, the edge of the comparison
                    ulong low = j % 4 == 0 ? Math.Max(threshold, 1) - 1 : (ulong)rng.NextInt64(1L << 32);
                    ulong high = j % 4 == 1 ? Math.Min(threshold, uint.MaxValue) : (ulong)rng.NextInt64(1L << 32);
                    bits[j] = low | high << 32;
                }
                T keep = T.CreateTruncating(1 / 0.7);
                int offset = n % 3;
                T[] xBuffer = [.. Enumerable.Range(0, n + offset).Select(_ => T.CreateTruncating(rng.NextDouble() * 4 - 2))];
                foreach (bool inPlace in new[] { false, true })
                {
                    T[] input = (T[])xBuffer.Clone();
                    Span<T> x = input.AsSpan(offset, n);
                    T[] original = x.ToArray();
                    var mask = new T[n];
                    Span<T> y = inPlace ? x : new T[n];
                    DropoutKernels.Apply<T>(bits, threshold, keep, x, mask, y);
                    for (int i = 0; i < n; i++)
                    {
                        ulong u = i % 2 == 0 ? bits[i / 2] & 0xFFFFFFFF : bits[i / 2] >> 32;
                        double expectedMask = u < threshold ? 0 : threshold == 1UL << 32 ? 0 : double.CreateTruncating(keep);
                        string where = $"{typeof(T).Name} n = {n}, threshold {threshold}, i = {i}{(inPlace ? " in place" : "")}";
                        Assert.True(double.CreateTruncating(mask[i]) == expectedMask, $"{where}: mask {mask[i]}, expected {expectedMask}");
                        Assert.True(y[i] == original[i] * T.CreateTruncating(expectedMask), $"{where}: y {y[i]}, expected {original[i]}·{expectedMask}");
                    }
                }
            }
        }
    }
}
