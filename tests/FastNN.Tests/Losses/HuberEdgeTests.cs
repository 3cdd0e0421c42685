using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Losses;

namespace FastNN.Tests.Losses;

/// <summary>
/// Huber's gradient and loss at the edges, bit for bit against the definition taken element by element in T: d = p − t
/// of ±0, subnormal, exactly ±δ and its neighbours, huge, ±∞ and NaN of either sign, with δ of 1, a subnormal (float) and +∞; rows of
/// 1 to 2·(widest vector) + 1 features (the short, vector and tail paths) in a batch of 3, in place and not. The
/// gradient is clamp(d, −δ, δ)·(1/features)·(1/batch), d's NaN bits (its sign kept) where d is NaN, with d's sign at 0; the mean is NaN when a
/// term is, +∞ when a term is +∞, and otherwise the terms' sum within its rounding bound.
/// </summary>
public class HuberEdgeTests
{
    [Fact]
    public void FloatEdgesGiveTheDefinitionsBits() => Check<float>([1.0, 3e-45, double.PositiveInfinity]);

    [Fact]
    public void DoubleEdgesGiveTheDefinitionsBits() => Check<double>([1.0, 5e-320, double.PositiveInfinity]);

    private static void Check<T>(double[] deltas) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int batch = 3;
        foreach (double deltaValue in deltas)
        {
            T delta = T.CreateTruncating(deltaValue), max = T.CreateTruncating(typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue);
            T[] edges =
            [
                T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon, delta, -delta, T.BitDecrement(delta), T.BitIncrement(-delta),
                T.BitIncrement(delta), -T.BitIncrement(delta), T.CreateTruncating(0.5), T.CreateTruncating(-3),
                max, -max, T.PositiveInfinity, T.NegativeInfinity, T.NaN, -T.NaN,
            ];
            for (int features = 1; features <= 2 * Vector512<T>.Count + 1; features++)
            {
                int n = batch * features;
                // The edges in p, t = 0 but for some small p, where t = −2 moves d off the edge (d = p − t in T, as the kernel takes it).
                T[] p = [.. Enumerable.Range(0, n).Select(i => edges[(i * 7 + features) % edges.Length])];
                T[] t = [.. Enumerable.Range(0, n).Select(i => i % 4 == 1 && T.IsFinite(p[i]) && T.Abs(p[i]) <= T.One ? T.CreateTruncating(-2) : T.Zero)];
                foreach (bool inPlace in new[] { false, true })
                {
                    T[] gradient = new T[n];
                    T[] pIn = (T[])p.Clone();
                    T mean = new HuberLoss<T>(deltaValue).Compute(pIn, t, inPlace ? pIn : gradient, batch);
                    Span<T> actual = inPlace ? pIn : gradient;

                    T inverseFeatures = T.One / T.CreateTruncating(features), inverseBatch = T.One / T.CreateTruncating(batch);
                    double sum = 0, magnitude = 0;
                    for (int i = 0; i < n; i++)
                    {
                        T d = p[i] - t[i];
                        T clamped = d > delta ? delta : d < -delta ? -delta : d;
                        T expected = clamped * inverseFeatures * inverseBatch;
                        Assert.True(BitsEqual(expected, actual[i]),
                            $"δ = {deltaValue}, features {features}, in place {inPlace}: d = {d}: gradient {actual[i]}, expected {expected}");
                        T a = T.Abs(d);
                        T term = a < delta ? T.CreateTruncating(0.5) * d * d : delta * (a - T.CreateTruncating(0.5) * delta);
                        sum += double.CreateTruncating(term);
                        magnitude += Math.Abs(double.CreateTruncating(term));
                    }
                    double actualMean = double.CreateTruncating(mean), expectedMean = sum / n;
                    if (double.IsNaN(expectedMean) || double.IsInfinity(expectedMean))
                        Assert.Equal(expectedMean, actualMean);
                    else   // the terms' sum in double (n − 1 roundings of at most 2^-53 of Σ|ℓ|), then the division and the rounding to T
                        Assert.True(Math.Abs(actualMean - expectedMean) <= (n - 1) * Math.ScaleB(1, -53) * magnitude / n + Math.Abs(expectedMean) * 2 * UnitRoundoff<T>() + double.CreateTruncating(T.Epsilon),
                            $"δ = {deltaValue}, features {features}: mean {actualMean}, expected {expectedMean}");
                }
            }
        }
    }

    private static double UnitRoundoff<T>() => Math.ScaleB(1, typeof(T) == typeof(float) ? -24 : -53);

    private static bool BitsEqual<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)x) == BitConverter.SingleToInt32Bits((float)(object)y)
            : BitConverter.DoubleToInt64Bits((double)(object)x) == BitConverter.DoubleToInt64Bits((double)(object)y);
}
