using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Benchmarks.Inference;

/// <summary>
/// One of the suite's networks, exported once by benchmarks/pytorch/export_mlp.py: <see cref="OnnxPath"/> for ONNX
/// Runtime and <see cref="ModelPath"/>, a FastNN model file of the same weights, for <see cref="ModelFile.Load{T}"/>.
/// </summary>
internal sealed class MlpNetwork
{
    /// <summary>The issue's network: 1.08 MB of float weights, just over a 1 MiB L2.</summary>
    public static readonly MlpNetwork Issue = new("mlp-784-256-256-10");

    /// <summary>0.54 MB of weights: inside the L2 of every CPU the project runs on.</summary>
    public static readonly MlpNetwork InL2 = new("mlp-256-256-256-10");

    /// <summary>2.12 MB of weights: twice a 1 MiB L2.</summary>
    public static readonly MlpNetwork BeyondL2 = new("mlp-512-512-512-10");

    public static readonly MlpNetwork[] All = [Issue, InL2, BeyondL2];

    private MlpNetwork(string name)
    {
        Name = name;
        Sequential<float> model = Load(1).Model;
        InputSize = model.InputSize;
        OutputSize = model.OutputSize;
        WeightBytes = 4L * model.Parameters.Length;
        Layers = model.Layers.OfType<Dense<float>>().Select(d => (d.InputSize, d.OutputSize)).ToArray();
        FlopsPerRow = 2.0 * Layers.Sum(l => (double)l.In * l.Out);
    }

    public string Name { get; }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Float bytes of the Dense weights and biases: what a batch-1 pass must stream.</summary>
    public long WeightBytes { get; }

    /// <summary>Flops of one row: 2·Σ in·out over the Dense layers.</summary>
    public double FlopsPerRow { get; }

    /// <summary>The Dense layers' (in, out).</summary>
    public (int In, int Out)[] Layers { get; }

    public string OnnxPath => Path.Combine(AppContext.BaseDirectory, "Inference", Name + ".onnx");

    public string ModelPath => Path.Combine(AppContext.BaseDirectory, "Inference", Name + ".safetensors");

    /// <summary>The model the file describes, in evaluation mode, with its weights.</summary>
    public SavedModel<float> Load(int maxBatch) => ModelFile.Load<float>(ModelPath, maxBatch);

    /// <summary>The network called <paramref name="name"/> (with or without its "mlp-"); null when none is.</summary>
    public static MlpNetwork? Find(string name) => All.FirstOrDefault(n => n.Name == name || n.Name == "mlp-" + name);
}
