using System.Buffers.Binary;
using System.Text.Json;
using FastNN.Models;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// The suite's network, exported once by benchmarks/pytorch/export_mlp.py: <see cref="OnnxPath"/> for ONNX Runtime and
/// <see cref="WeightsPath"/> (safetensors, the same weights) for FastNN.
/// </summary>
internal static class MlpFiles
{
    public const string Name = "mlp-784-256-256-10";
    public const int InputSize = 784, OutputSize = 10;

    public static string OnnxPath => Path.Combine(AppContext.BaseDirectory, "Inference", Name + ".onnx");

    public static string WeightsPath => Path.Combine(AppContext.BaseDirectory, "Inference", Name + ".safetensors");

    /// <summary>Float bytes of the Dense weights and biases: what a batch-1 pass must stream.</summary>
    public const long WeightBytes = 4L * (784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);

    /// <summary>Flops of one row: 2·(784·256 + 256·256 + 256·10).</summary>
    public const double FlopsPerRow = 2.0 * (784 * 256 + 256 * 256 + 256 * 10);

    /// <summary>The model described by the file's metadata, with every tensor the file holds (by state-dict name).</summary>
    public static Sequential<float> Load(int maxBatch)
    {
        byte[] file = File.ReadAllBytes(WeightsPath);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        string architecture = header.RootElement.GetProperty("__metadata__").GetProperty("architecture").GetString()!;
        var model = Sequential<float>.FromJson(architecture, maxBatch);
        int data = 8 + (int)headerLength;
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject())
        {
            if (tensor.Name == "__metadata__")
                continue;
            int start = tensor.Value.GetProperty("data_offsets")[0].GetInt32(), end = tensor.Value.GetProperty("data_offsets")[1].GetInt32();
            Span<float> target = model.Parameter(tensor.Name);
            if (target.Length * 4 != end - start)
                throw new InvalidDataException($"{WeightsPath}: {tensor.Name} has {(end - start) / 4} floats, the model {target.Length}.");
            for (int i = 0; i < target.Length; i++)
                target[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(data + start + 4 * i));
        }
        model.Training = false;
        return model;
    }
}
