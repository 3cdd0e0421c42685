using System.Numerics;
using BenchmarkDotNet.Attributes;
using FastNN.Benchmarks.Infrastructure;
using FastNN.IO;
using FastNN.Models;

namespace FastNN.Benchmarks.IO;

/// <summary>
/// A 512-1024-512-10 ReLU MLP (1,055,242 parameters, 4.2 MB as F32, 8.4 MB as F64) saved as a safetensors model file and
/// read back: <see cref="ModelFile.Load{T}"/> (header, architecture, a new model, every tensor),
/// <see cref="ModelFile.LoadWeights{T}"/> into an existing model, and <see cref="ModelFile.Save{T}"/> (atomic: temporary
/// file, flush to disk, rename). The baseline reads the same file's bytes with <see cref="File.ReadAllBytes"/>. The
/// file stays in the page cache, so this is the cost of FastNN's work, not of the disk.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class ModelFileBenchmarks<T> : IWorkload where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fastnn-bench-" + Guid.NewGuid().ToString("N"));
    private string _path = "", _savePath = "";
    private Sequential<T> _model = null!;

    /// <summary>Writes the file once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, "mlp.safetensors");
        _savePath = Path.Combine(_folder, "saved.safetensors");
        _model = new SequentialBuilder<T>(512).Dense(1024).Relu().Dense(512).Relu().Dense(10).Build(maxBatch: 64, seed: 1);
        ModelFile.Save(_path, _model);
    }

    /// <summary>Deletes the files.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>The file's bytes, read whole.</summary>
    [Benchmark(Baseline = true, Description = "File.ReadAllBytes")]
    public byte[] ReadBytes() => File.ReadAllBytes(_path);

    /// <summary>A new model from the file.</summary>
    [Benchmark(Description = "ModelFile.Load")]
    public Sequential<T> Load() => ModelFile.Load<T>(_path).Model;

    /// <summary>The file's tensors into the existing model, strictly.</summary>
    [Benchmark(Description = "ModelFile.LoadWeights")]
    public void LoadWeights() => ModelFile.LoadWeights(_path, _model);

    /// <summary>The model to a file, atomically.</summary>
    [Benchmark(Description = "ModelFile.Save")]
    public void Save() => ModelFile.Save(_savePath, _model);

    /// <inheritdoc/>
    public double Flops(string method) => 0;

    /// <inheritdoc/>
    public double Bytes(string method) => 1_055_242.0 * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
