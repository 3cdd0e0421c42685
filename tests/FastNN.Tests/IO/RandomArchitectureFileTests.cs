using System.Numerics;
using FastNN.IO;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FastNN.Tests.Models;
using FsCheck.Xunit;

namespace FastNN.Tests.IO;

/// <summary>
/// What a model file and the JSON description keep, on random architectures (RandomArchitectures: every layer kind and
/// setting, nested blocks, running statistics away from their initial values), float and double:
/// Save then Load gives the same tensors and the same outputs bit for bit (a file of the other element type: the
/// tensors converted); LoadWeights into a model built from the description gives them too; and a model rebuilt from
/// <see cref="Sequential{T}.ToJson"/> computes exactly what the original computes, in training mode (same dropout masks,
/// same running-statistics updates, same gradients) and in evaluation mode: no setting that changes a result is lost.
/// </summary>
public class RandomArchitectureFileTests
{
    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void FloatFilesKeepEveryBit(int seed) => FileRoundTrip<float, double>(seed);

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void DoubleFilesKeepEveryBit(int seed) => FileRoundTrip<double, float>(seed);

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void FloatJsonRebuildsTheSameComputation(int seed) => JsonRoundTrip<float>(seed);

    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void DoubleJsonRebuildsTheSameComputation(int seed) => JsonRoundTrip<double>(seed);

    private static void FileRoundTrip<T, TOther>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        Sequential<T> model = RandomArchitectures.Trained<T>(seed);
        var random = new Random(~seed);
        int batch = 1 + random.Next(RandomArchitectures.MaxBatch);
        T[] x = RandomArchitectures.Input<T>(random, batch, model.InputSize);
        T[] expected = model.Forward(x, batch).ToArray();

        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        ModelFile.Save(path, model);
        Sequential<T> loaded = ModelFile.Load<T>(path).Model;
        Assert.False(loaded.Training);
        Same(model.Parameters.ToArray(), loaded.Parameters.ToArray(), "parameters", seed);
        Same(model.State.ToArray(), loaded.State.ToArray(), "state", seed);
        Same(expected, loaded.Forward(x, batch).ToArray(), "output of the loaded model", seed);

        var fresh = Sequential<T>.FromJson(model.ToJson(), seed: (ulong)seed + 1);
        fresh.Training = false;
        ModelFile.LoadWeights(path, fresh);
        Same(expected, fresh.Forward(x, batch).ToArray(), "output after LoadWeights", seed);

        // The other element type: every tensor converted from the file's.
        Sequential<TOther> other = ModelFile.Load<TOther>(path).Model;
        Same(model.Parameters.ToArray().Select(TOther.CreateTruncating).ToArray(), other.Parameters.ToArray(), $"parameters as {typeof(TOther).Name}", seed);
        Same(model.State.ToArray().Select(TOther.CreateTruncating).ToArray(), other.State.ToArray(), $"state as {typeof(TOther).Name}", seed);
    }

    private static void JsonRoundTrip<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        Sequential<T> model = RandomArchitectures.Fresh<T>(random, RandomArchitectures.MaxBatch, (ulong)seed);
        var copy = Sequential<T>.FromJson(model.ToJson(), seed: (ulong)seed);
        Assert.Equal(model.ToJson(), copy.ToJson());
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] = copy.Parameters[i] += T.CreateTruncating(0.1 * (2 * random.NextDouble() - 1));
        for (int i = 0; i < model.State.Length; i++)
            Assert.True(GemmAssert.BitEquals(model.State[i], copy.State[i]), $"seed {seed}: state[{i}] as initialized");

        // Training mode: dropout masks from the same stream, the same running-statistics updates, the same gradients.
        for (int pass = 0; pass < 2; pass++)
        {
            int batch = 2 + random.Next(RandomArchitectures.MaxBatch - 1);
            T[] x = RandomArchitectures.Input<T>(random, batch, model.InputSize, shift: pass);
            T[] dy = RandomArchitectures.Input<T>(random, batch, model.OutputSize);
            Same(model.Forward(x, batch).ToArray(), copy.Forward(x, batch).ToArray(), $"training output (pass {pass})", seed);
            model.Backward(dy, batch);
            copy.Backward(dy, batch);
            Same(model.Gradients.ToArray(), copy.Gradients.ToArray(), $"gradients (pass {pass})", seed);
            Same(model.InputGradient(batch).ToArray(), copy.InputGradient(batch).ToArray(), $"input gradient (pass {pass})", seed);
            Same(model.State.ToArray(), copy.State.ToArray(), $"state (pass {pass})", seed);
        }
        model.Training = copy.Training = false;
        int rows = 1 + random.Next(RandomArchitectures.MaxBatch);
        T[] input = RandomArchitectures.Input<T>(random, rows, model.InputSize);
        Same(model.Forward(input, rows).ToArray(), copy.Forward(input, rows).ToArray(), "evaluation output", seed);
    }

    private static void Same<T>(T[] expected, T[] actual, string what, int seed) where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(GemmAssert.BitEquals(expected[i], actual[i]), $"seed {seed}, {what}[{i}]: {actual[i]} instead of {expected[i]}");
    }
}
