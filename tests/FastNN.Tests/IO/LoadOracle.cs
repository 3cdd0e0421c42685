using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// What any load of any file, damaged or not, must do: succeed having taken every tensor exactly as the tests' own
/// reader (<see cref="SafetensorsReference"/>) finds it in a file that follows every rule, holding only state a run can
/// leave; or raise <see cref="ModelFileException"/> naming the file. Never another exception, and never more allocated
/// than a small multiple of the file's size, whatever sizes a damaged header claims.
/// </summary>
internal static class LoadOracle
{
    // Far below the 100 MB a trusted header length could ask for, far above what reading these few-KB files needs.
    private const long AllocationAllowance = 1 << 20;

    /// <summary>True when the load succeeded, false when it raised ModelFileException for this file; anything else fails the test.</summary>
    public static bool Attempt(string path, byte[] bytes, Action load)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            load();
            return true;
        }
        catch (ModelFileException e)
        {
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith(path + ": ", e.Message);
            return false;
        }
        finally
        {
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated <= AllocationAllowance + 16L * bytes.Length, $"{allocated} bytes allocated to read a {bytes.Length}-byte file");
        }
    }

    /// <summary>A successful load must have read a file that follows every rule, and taken each tensor exactly as stored (converted to <typeparamref name="T"/>).</summary>
    public static void AssertLoaded<T>((Dictionary<string, RawTensor> Tensors, Dictionary<string, string> Metadata)? reference, Sequential<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.NotNull(reference);
        foreach (ParameterTensor p in model.ParameterTensors)
            AssertSame(reference.Value.Tensors[p.Name], model.Tensor(p.Name));
        foreach (StateTensor s in model.StateTensors)
        {
            RawTensor stored = reference.Value.Tensors[s.Name];
            AssertSame(stored, model.Tensor(s.Name));
            // No run leaves a negative count, nor a variance that is negative, NaN or infinite (the model would output NaN or its bias);
            // a float model holds a count exactly up to 2^48 (StateCount), and takes it exactly.
            if (s.IsInteger)
            {
                long[] counts = Enumerable.Range(0, s.Length).Select(i => BinaryPrimitives.ReadInt64LittleEndian(stored.Bytes.AsSpan(8 * i))).ToArray();
                Assert.All(counts, c => Assert.True(c >= 0 && c <= StateCount.Largest<T>(), $"{s.Name} loaded as {c}"));
                T[] tensor = model.State.Slice(s.Offset, StateCount.BufferLength(s.Length)).ToArray();
                Assert.Equal(counts, Enumerable.Range(0, s.Length).Select(i => StateCount.Get<T>(tensor, i)).ToArray());
            }
            if (s.Name.EndsWith(".running_var", StringComparison.Ordinal))
                Assert.All(stored.Values(), v => Assert.True(double.IsFinite(v) && v >= 0, $"{s.Name} loaded as {v}"));
        }
    }

    /// <summary>The stored elements as <typeparamref name="T"/>: the stored bits when the dtype is <typeparamref name="T"/>'s, else converted as a reader converts them.</summary>
    public static T[] Stored<T>(RawTensor stored) where T : unmanaged, IFloatingPointIeee754<T> => stored.DType switch
    {
        "F32" => Enumerable.Range(0, stored.Bytes.Length / 4).Select(i => T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(stored.Bytes.AsSpan(4 * i)))).ToArray(),
        "F64" => Enumerable.Range(0, stored.Bytes.Length / 8).Select(i => T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(stored.Bytes.AsSpan(8 * i)))).ToArray(),
        _ => stored.Values().Select(T.CreateTruncating).ToArray(),
    };

    // Bit patterns, so that a flipped byte that makes a NaN is compared too.
    private static void AssertSame<T>(RawTensor stored, ReadOnlySpan<T> loaded) where T : unmanaged, IFloatingPointIeee754<T> =>
        Assert.Equal(MemoryMarshal.AsBytes<T>(Stored<T>(stored)).ToArray(), MemoryMarshal.AsBytes(loaded).ToArray());
}

/// <summary>Everything a failed load must leave as it was in a trainer and its model.</summary>
internal sealed record TrainerSnapshot(
    string Parameters, string State, (ulong, ulong, ulong, ulong) Random, (ulong, ulong, ulong, ulong) ShuffleRandom, string Optimizer, long Steps,
    int Epochs, bool Watching)
{
    public static TrainerSnapshot Of<T>(Trainer<T> t) where T : unmanaged, IFloatingPointIeee754<T> => new(
        string.Join(",", t.Model.Parameters.ToArray()), string.Join(",", t.Model.State.ToArray()), t.Model.Random.State, t.ShuffleRandom.State,
        Describe(t.Optimizer.SaveState()), t.Steps, t.CompletedEpochs, t.EarlyStopping is not null);

    private static string Describe<T>(OptimizerState<T> s) where T : unmanaged, IFloatingPointIeee754<T> =>
        $"{s.StepCount};{string.Join(",", s.HyperParameters.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:R}"))};"
        + string.Join(";", s.Buffers.OrderBy(b => b.Key).Select(b => string.Join(",", b.Value)));
}
