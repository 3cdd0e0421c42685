using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Models;

/// <summary>What a model says of tensor declarations it cannot hold: a clear ArgumentException, never an OverflowException.</summary>
public class DeclarationTests
{
    [Fact]
    public void AParameterTooLargeForAnArrayIsAnArgumentExceptionNamingTheTensor()
    {
        // 50,000 × 50,000 weights: more elements than an int counts.
        var e = Assert.Throws<ArgumentException>(() => new SequentialBuilder<float>(50_000).Dense(50_000).Build(maxBatch: 1));
        Assert.Contains("0.weight", e.Message);
        Assert.Contains("[50000, 50000]", e.Message);
    }

    [Fact]
    public void ParametersThatTogetherOverflowAreAnArgumentException()
    {
        // Each weight fits; their sum (2 × 1.6e9) does not.
        var e = Assert.Throws<ArgumentException>(() =>
            new Sequential<float>([new DeclaringLayer<float>([new("a", [40_000, 40_000], ParameterKind.Weight), new("b", [40_000, 40_000], ParameterKind.Weight)], [])], 1));
        Assert.Contains("0.b", e.Message);
    }

    [Theory]
    [InlineData(-2, 3)]
    [InlineData(3, -1)]
    public void ANegativeDimensionInAUserLayerNamesTheLayerAndShape(int rows, int cols)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new Sequential<double>([new DeclaringLayer<double>([new("scale", [rows, cols], ParameterKind.Weight)], [])], 2));
        Assert.Contains("Layer 0 (DeclaringLayer)", e.Message);
        Assert.Contains($"scale [{rows}, {cols}]", e.Message);
        var s = Assert.Throws<ArgumentException>(() =>
            new Sequential<double>([new DeclaringLayer<double>([], [new("count", [rows, cols])])], 2));
        Assert.Contains($"count [{rows}, {cols}]", s.Message);
    }

    [Fact]
    public void ANullShapeOrDeclarationIsAnArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new Sequential<double>([new DeclaringLayer<double>([new("w", null!, ParameterKind.Weight)], [])], 2));
        Assert.Throws<ArgumentException>(() => new Sequential<double>([new DeclaringLayer<double>([null!], [])], 2));
    }

    [Fact]
    public void ANegativeScratchLengthNamesTheLayer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential<double>([new DeclaringLayer<double>([], [], scratch: -5)], 2));
        Assert.Contains("Layer 0 (DeclaringLayer)", e.Message);
        Assert.Contains("-5", e.Message);
    }

    /// <summary>A user layer (y = x) declaring whatever tensors and scratch it is given.</summary>
    private sealed class DeclaringLayer<T>(ParameterDeclaration[] parameters, StateDeclaration[] state, int scratch = 0) : ILayer<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int InputSize => 2;
        public int OutputSize => 2;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => parameters;
        public IReadOnlyList<StateDeclaration> StateDeclarations => state;
        public int ScratchLength(int batch) => scratch;
        public void Initialize(LayerBuffers<T> buffers) { }
        public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => x.CopyTo(y);
        public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch) => dy.CopyTo(dx);
    }
}
