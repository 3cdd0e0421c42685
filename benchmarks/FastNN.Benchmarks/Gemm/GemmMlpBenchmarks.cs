using BenchmarkDotNet.Attributes;

namespace FastNN.Benchmarks.Gemm;

/// <summary>Every product of training a 784-256-256-10 MLP at batch 64 and 256 (forward, input and weight gradient).</summary>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class GemmMlpBenchmarks<T> : GemmBenchmark<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>fc1 784→256, fc2 256→256, fc3 256→10, each at batch 64 then 256.</summary>
    public static IEnumerable<GemmShape> Shapes =>
        from batch in new[] { 64, 256 }
        from layer in new[] { ("fc1", 784, 256), ("fc2", 256, 256), ("fc3", 256, 10) }
        from shape in GemmShape.DenseLayer(layer.Item1, layer.Item2, layer.Item3, batch)
        select shape;

    /// <inheritdoc/>
    [ParamsSource(nameof(Shapes))]
    public override GemmShape Shape { get; set; } = GemmShape.Square(64);
}
