using System.Buffers.Binary;
using System.Numerics;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.IO;
using FastNN.Training;

namespace FastNN.Tests.Layers;

// PyTorch keeps num_batches_tracked as an int64 whatever the model's dtype. FastNN held it as one element of T, so a
// float model stopped counting at 2^24 (16,777,216 + 1 rounds back to 16,777,216) and read a larger count from a
// PyTorch file rounded to a float (2^40 + 3 came back as 2^40). Counts now take two elements (StateCount).
public class BatchNormCountTests
{
    private const long Past24 = (1L << 24) + 1, Past40 = (1L << 40) + 3;

    // A PyTorch state dict of nn.Sequential(BatchNorm1d(2), Linear(2, 1)) as safetensors writes it (values F32, the count
    // I64), by the tests' own writer.
    private static byte[] PyTorchFile(long count)
    {
        string header = """{"0.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"0.running_mean":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"0.running_var":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"0.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[32,40]},"1.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[40,48]},"1.bias":{"dtype":"F32","shape":[1],"data_offsets":[48,52]}}""";
        var data = new byte[52];
        float[] values = [1.5f, 0.5f, -0.25f, 0.75f, 0.1f, -0.2f, 2f, 0.5f];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(32), count);
        float[] linear = [0.3f, -0.6f, 0.05f];
        for (int i = 0; i < linear.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(40 + 4 * i), linear[i]);
        return SafetensorsReference.Build(header, data);
    }

    // The count a file holds, read by the tests' own reader, as the I64 it is.
    private static long CountIn(string path, string name)
    {
        RawTensor tensor = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value.Tensors[name];
        Assert.Equal("I64", tensor.DType);
        return BinaryPrimitives.ReadInt64LittleEndian(tensor.Bytes);
    }

    private static long Count<T>(Sequential<T> model, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        StateTensor s = model.StateTensors.Single(t => t.Name == name);
        return StateCount.Get<T>(model.State.Slice(s.Offset, StateCount.BufferLength(s.Length)), 0);
    }

    [Fact]
    public void AFloatModelCountsExactlyPast2To24()
    {
        using var folder = new TempFolder();
        string file = folder.File("torch.safetensors");
        File.WriteAllBytes(file, PyTorchFile(Past24));
        var model = new Sequential<float>([new BatchNorm1d<float>(2), new Dense<float>(2, 1)], maxBatch: 4, seed: 1);
        ModelFile.LoadWeights(file, model);
        Assert.Equal(Past24, Count(model, "0.num_batches_tracked"));

        var trainer = new Trainer<float>(model, new MseLoss<float>(), new Sgd<float>(model.Parameters.Length, 0.01), TaskKind.Regression);
        float[] x = [0.5f, -1, 2, 0.25f, -0.5f, 1, 1.5f, -2];
        trainer.TrainStep(x, [1f, -1, 0.5f, 2], 4);
        Assert.Equal(Past24 + 1, Count(model, "0.num_batches_tracked"));
        Assert.Equal((float)(Past24 + 1), model.Tensor("0.num_batches_tracked")[0]); // the value the tensor shows: the count rounded to float
        trainer.TrainStep(x, [1f, -1, 0.5f, 2], 4);
        trainer.TrainStep(x, [1f, -1, 0.5f, 2], 4);
        Assert.Equal(Past24 + 3, Count(model, "0.num_batches_tracked"));

        string saved = folder.File("trained.safetensors");
        ModelFile.Save(saved, model);
        Assert.Equal(Past24 + 3, CountIn(saved, "0.num_batches_tracked"));
    }

    // A large count from a PyTorch file comes back out unchanged, in either element type, through LoadWeights and Save,
    // through Load (the model from the file alone) and through a checkpoint.
    [Fact]
    public void ALargeCountRoundTripsExactlyThroughFilesAndCheckpoints()
    {
        RoundTrips<float>(Past40);
        RoundTrips<double>(Past40);
        RoundTrips<double>(long.MaxValue - 2); // a double holds every 64-bit count (a remainder is below 2^11)
        RoundTrips<float>((1L << 48) - 1);     // a float up to 2^48 (a remainder is below 2^24)
        RoundTrips<float>(1L << 48);
    }

    // StateCount holds negative counts and, in a float model, some past 2^48, but no run leaves the first and the second
    // are not promised exact: files refuse both (ModelFileException on load, ArgumentException on save), so that what
    // loads is what the file holds and what saves loads back.
    [Fact]
    public void ANegativeCountOrAFloatCountPast2To48IsRefusedByLoadAndSave()
    {
        Refused<float>(-Past40);
        Refused<double>(-Past40);
        Refused<float>((1L << 48) + 1);
        Refused<float>(long.MaxValue);
    }

    private static void Refused<T>(long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var folder = new TempFolder();
        string file = folder.File("torch.safetensors");
        File.WriteAllBytes(file, PyTorchFile(count));
        var model = new Sequential<T>([new BatchNorm1d<T>(2), new Dense<T>(2, 1)], maxBatch: 4, seed: 1);
        Assert.Contains($"'0.num_batches_tracked' is a count but holds {count}", Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(file, model)).Message);
        Assert.Equal(0, Count(model, "0.num_batches_tracked"));

        StateTensor s = model.StateTensors.Single(t => t.IsInteger);
        StateCount.Set(model.State.Slice(s.Offset, StateCount.BufferLength(s.Length)), 0, count);
        string saved = folder.File("saved.safetensors");
        Assert.Contains($"'0.num_batches_tracked' is a count but holds {count}", Assert.Throws<ArgumentException>(() => ModelFile.Save(saved, model)).Message);
        var trainer = new Trainer<T>(model, new MseLoss<T>(), new Sgd<T>(model.Parameters.Length, 0.01), TaskKind.Regression);
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(saved, trainer));
        Assert.False(File.Exists(saved));
    }

    private static void RoundTrips<T>(long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var folder = new TempFolder();
        string file = folder.File("torch.safetensors"), saved = folder.File("saved.safetensors"), checkpoint = folder.File("run.ckpt.safetensors");
        File.WriteAllBytes(file, PyTorchFile(count));
        var model = new Sequential<T>([new BatchNorm1d<T>(2), new Dense<T>(2, 1)], maxBatch: 4, seed: 1);
        ModelFile.LoadWeights(file, model);
        Assert.Equal(count, Count(model, "0.num_batches_tracked"));
        ModelFile.Save(saved, model);
        Assert.Equal(count, CountIn(saved, "0.num_batches_tracked"));
        Assert.Equal(count, Count(ModelFile.Load<T>(saved).Model, "0.num_batches_tracked"));

        var trainer = new Trainer<T>(model, new MseLoss<T>(), new Sgd<T>(model.Parameters.Length, 0.01), TaskKind.Regression);
        Checkpoint.Save(checkpoint, trainer);
        Assert.Equal(count, CountIn(checkpoint, "0.num_batches_tracked"));
        var other = new Sequential<T>([new BatchNorm1d<T>(2), new Dense<T>(2, 1)], maxBatch: 4, seed: 2);
        Checkpoint.Load(checkpoint, new Trainer<T>(other, new MseLoss<T>(), new Sgd<T>(other.Parameters.Length, 0.01), TaskKind.Regression));
        Assert.Equal(count, Count(other, "0.num_batches_tracked"));
    }

    // Get and Set against the integers themselves, across 2^24 (float) and 2^53 (double) and with negative counts.
    [Fact]
    public void StateCountHoldsEveryCountWithinItsRangeAndIncrementsAcross2To24()
    {
        long[] counts = [0, 1, -1, (1L << 24) - 1, 1L << 24, Past24, (1L << 24) + 3, Past40, -Past40, (1L << 48) - 1, -(1L << 48) + 1];
        var f = new float[2];
        var d = new double[2];
        foreach (long count in counts)
        {
            StateCount.Set<float>(f, 0, count);
            Assert.Equal(count, StateCount.Get<float>(f, 0));
            Assert.Equal((float)count, f[0]);
            StateCount.Set<double>(d, 0, count);
            Assert.Equal(count, StateCount.Get<double>(d, 0));
        }
        foreach (long count in new[] { (1L << 53) + 1, long.MaxValue, long.MinValue, long.MaxValue - 1023 })
        {
            StateCount.Set<double>(d, 0, count);
            Assert.Equal(count, StateCount.Get<double>(d, 0));
        }

        // Two counts in one tensor: the values first, then the remainders.
        var pair = new float[4];
        StateCount.Set<float>(pair, 0, (1L << 24) - 2);
        StateCount.Set<float>(pair, 1, Past40);
        for (int i = 0; i < 4; i++)
            StateCount.Set<float>(pair, 0, StateCount.Get<float>(pair, 0) + 1);
        Assert.Equal([(1L << 24) + 2, Past40], [StateCount.Get<float>(pair, 0), StateCount.Get<float>(pair, 1)]);
        Assert.Equal([16777218f, 1099511627776f, 0f, 3f], pair);
    }

    // Parts too large for any count (written to the state buffer by hand, or read from a damaged checkpoint's best_state)
    // saturate: their Int128 sum wrapped, so that float.MaxValue + float.MaxValue read as the count -2, which Save then
    // wrote instead of refusing it.
    [Fact]
    public void PartsPastEveryCountSaturateInsteadOfWrapping()
    {
        Assert.Equal(long.MaxValue, StateCount.Get<float>([float.MaxValue, float.MaxValue], 0));
        Assert.Equal(long.MinValue, StateCount.Get<float>([-float.MaxValue, -float.MaxValue], 0));
        Assert.Equal(long.MaxValue, StateCount.Get<double>([1e300, 1e300], 0));

        var model = new Sequential<float>([new BatchNorm1d<float>(2)], maxBatch: 2);
        StateTensor s = model.StateTensors.Single(t => t.IsInteger);
        model.State[s.Offset] = float.MaxValue;
        model.State[s.Offset + 1] = float.MaxValue;
        using var folder = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(folder.File("m.safetensors"), model));
        Assert.Contains("0.num_batches_tracked", e.Message);
        Assert.Contains("which is not an integer from 0 to", e.Message);
    }

    // SetTensor sets a count's value and clears its remainder, so that what was set is the count.
    [Fact]
    public void SetTensorOnACountReplacesTheWholeCount()
    {
        var model = new Sequential<float>([new BatchNorm1d<float>(2)], maxBatch: 2);
        StateTensor s = model.StateTensors.Single(t => t.IsInteger);
        StateCount.Set(model.State.Slice(s.Offset, 2), 0, Past40);
        model.SetTensor("0.num_batches_tracked", [7f]);
        Assert.Equal(7, Count(model, "0.num_batches_tracked"));
    }
}
