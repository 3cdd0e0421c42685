using System.Numerics;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Forward over a ReadOnlyMemory reads the caller's rows in place, on random architectures (RandomArchitectures: any
/// first layer, an activation, a normalization or a block among them), in training mode: the same outputs, gradients
/// and input gradient as Forward over a span (which copies), bit for bit, and the caller's rows never written.
/// </summary>
public class InPlaceInputPropertyTests
{
    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void FloatRowsReadInPlaceGiveTheSameBitsAndStayUnchanged(int seed) => Check<float>(seed);

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void DoubleRowsReadInPlaceGiveTheSameBitsAndStayUnchanged(int seed) => Check<double>(seed);

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        int batch = 2 + random.Next(RandomArchitectures.MaxBatch - 1);
        Sequential<T> copying = RandomArchitectures.Fresh<T>(new Random(seed), RandomArchitectures.MaxBatch, (ulong)seed);
        Sequential<T> inPlace = RandomArchitectures.Fresh<T>(new Random(seed), RandomArchitectures.MaxBatch, (ulong)seed);
        T[] x = RandomArchitectures.Input<T>(random, batch, copying.InputSize), original = (T[])x.Clone();
        T[] dy = RandomArchitectures.Input<T>(random, batch, copying.OutputSize);

        T[] expected = copying.Forward(x, batch).ToArray();
        copying.Backward(dy, batch);
        T[] actual = inPlace.Forward(x.AsMemory(), batch).ToArray();
        Same(original, x, "the caller's rows after the forward pass", seed);
        inPlace.Backward(dy, batch);
        Same(original, x, "the caller's rows after the backward pass", seed);
        Same(expected, actual, "output", seed);
        Same(copying.Gradients.ToArray(), inPlace.Gradients.ToArray(), "gradients", seed);
        Same(copying.InputGradient(batch).ToArray(), inPlace.InputGradient(batch).ToArray(), "input gradient", seed);
    }

    private static void Same<T>(T[] expected, T[] actual, string what, int seed) where T : unmanaged
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"seed {seed}, {what}[{i}]: {actual[i]} in place, {expected[i]} copied");
    }
}
