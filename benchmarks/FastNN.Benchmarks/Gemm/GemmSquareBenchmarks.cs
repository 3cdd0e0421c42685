using BenchmarkDotNet.Attributes;

namespace FastNN.Benchmarks.Gemm;

/// <summary>Square GEMM, n = 64 … 2048: where FastNN must reach 90% of the FMA peak from 256 up.</summary>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class GemmSquareBenchmarks<T> : GemmBenchmark<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>The sizes of issue 3.</summary>
    public static IEnumerable<GemmShape> Shapes => new[] { 64, 128, 256, 512, 1024, 2048 }.Select(GemmShape.Square);

    /// <inheritdoc/>
    [ParamsSource(nameof(Shapes))]
    public override GemmShape Shape { get; set; } = GemmShape.Square(64);
}
