using System.Numerics;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Sequential.Initialize's promise on random architectures (RandomArchitectures), float and double: after training
/// passes and changed parameters, Initialize with the build seed gives the model as built, every parameter and state
/// tensor (running statistics and counts included) and the random stream, so that the next training pass draws the
/// same dropout masks and computes the same bits.
/// </summary>
public class InitializePropertyTests
{
    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void FloatInitializeWithTheBuildSeedGivesTheBuiltModel(int seed) => Check<float>(seed);

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void DoubleInitializeWithTheBuildSeedGivesTheBuiltModel(int seed) => Check<double>(seed);

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Sequential<T> used = RandomArchitectures.Trained<T>(seed);
        Sequential<T> built = RandomArchitectures.Fresh<T>(new Random(seed), RandomArchitectures.MaxBatch, (ulong)seed); // the same architecture and seed
        used.Initialize((ulong)seed);
        Same(built.Parameters.ToArray(), used.Parameters.ToArray(), "parameters", seed);
        Same(built.State.ToArray(), used.State.ToArray(), "state", seed);
        Assert.Equal(built.Random.State, used.Random.State);

        used.Training = built.Training = true;
        var random = new Random(~seed);
        int batch = 2 + random.Next(RandomArchitectures.MaxBatch - 1);
        T[] x = RandomArchitectures.Input<T>(random, batch, built.InputSize);
        Same(built.Forward(x, batch).ToArray(), used.Forward(x, batch).ToArray(), "training output", seed);
        Same(built.State.ToArray(), used.State.ToArray(), "state after a training pass", seed);
    }

    private static void Same<T>(T[] expected, T[] actual, string what, int seed) where T : unmanaged
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"seed {seed}, {what}[{i}]: {actual[i]} after Initialize, {expected[i]} as built");
    }
}
