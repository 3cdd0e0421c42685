using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Tests.Gemm;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// An element's result does not depend on the length of the span it is in: every activation over spans of 1 to 40
/// elements (shorter than any vector, one vector of each width, vectors and a tail) at three offsets, bit for bit what
/// it gives in a span of 64. The Predictor's promise rests on it: an activation layer runs over batch × features
/// elements, so a row alone is a span of a few elements where a batch is a long one.
/// </summary>
public class ShortSpanTests
{
    public static TheoryData<string> Names => [.. ActivationCases.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void FloatElementsDoNotDependOnTheSpanLength(string name) => Check<float>(name);

    [Theory]
    [MemberData(nameof(Names))]
    public void DoubleElementsDoNotDependOnTheSpanLength(string name) => Check<double>(name);

    private static void Check<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(name.Length);
        T[] x = new T[64];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(12 * random.NextDouble() - 6);
        T[] whole = new T[x.Length];
        ActivationCases.Forward<T>(name, x, whole);
        foreach (int offset in new[] { 0, 3, 17 })
        {
            for (int length = 1; length <= 40 && offset + length <= x.Length; length++)
            {
                T[] part = new T[length];
                ActivationCases.Forward<T>(name, x.AsSpan(offset, length), part);
                for (int i = 0; i < length; i++)
                    Assert.True(GemmAssert.BitEquals(part[i], whole[offset + i]),
                        $"{name}({x[offset + i]:R}): {part[i]:R} in a span of {length}, {whole[offset + i]:R} in a span of {x.Length}");
            }
        }
    }
}
