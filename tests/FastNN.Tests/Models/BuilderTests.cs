using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Models;

public class SequentialBuilderTests
{
    [Fact]
    public void TheBuilderInfersWidthsAndMatchesTheJsonDescription()
    {
        var model = new SequentialBuilder<float>(6)
            .Dense(8).BatchNorm().Relu()
            .Residual(f => f.Dense(8).LayerNorm().Gelu())
            .Concat(f => f.Dense(3).Silu())
            .Dense(5).PRelu(perFeature: true).Dropout(0.2).Dense(3).LogSoftmax()
            .Build(maxBatch: 16, seed: 2);
        Assert.Equal(6, model.InputSize);
        Assert.Equal(3, model.OutputSize);
        Assert.Equal(11, model.Layers[4].OutputSize); // 8 + 3 from the Concat
        var fromJson = Sequential<float>.FromJson(model.ToJson(), seed: 2);
        Assert.Equal(model.Parameters.ToArray(), fromJson.Parameters.ToArray());
        Assert.Contains(model.ParameterTensors, p => p.Name == "4.body.0.weight");
        Assert.Contains(model.ParameterTensors, p => p.Name == "6.weight" && p.Shape.SequenceEqual([5]));
    }

    [Fact]
    public void AddingALayerOfTheWrongWidthSaysSo()
    {
        var builder = new SequentialBuilder<float>(4).Dense(8);
        var e = Assert.Throws<ArgumentException>(() => builder.Add(new LayerNorm<float>(7)));
        Assert.Contains("Layer 1 (LayerNorm) expects input [batch, 7] but the layers before it output [batch, 8]", e.Message);
    }

    [Fact]
    public void ALayerOfTheWrongWidthInABlockIsNamedAsTheBlocksBodyLayer()
    {
        // Inside a block's body the builder named the layer "Layer 0", which is the model's Dense(8), not the LayerNorm.
        var builder = new SequentialBuilder<float>(4).Dense(8);
        var e = Assert.Throws<ArgumentException>(() => builder.Residual(b => b.Relu().Add(new LayerNorm<float>(7))));
        Assert.Contains("residual body layer 1 (LayerNorm) expects input [batch, 7] but the layers before it output [batch, 8]", e.Message);
        e = Assert.Throws<ArgumentException>(() => builder.Concat(b => b.Add(new LayerNorm<float>(7))));
        Assert.Contains("concat body layer 0 (LayerNorm) expects input [batch, 7] but the block's input is [batch, 8]", e.Message);
        e = Assert.Throws<ArgumentException>(() => builder.Residual(b => b.Dense(3).Concat(c => c.Add(new NoOutputLayer(3)))));
        Assert.Contains("concat body layer 0 (NoOutputLayer) has input width 3 and output width 0", e.Message);
    }

    [Fact]
    public void AddingALayerOfNoOutputWidthSaysSoAtOnce()
    {
        // A layer of one's own that outputs [batch, 0] was taken, and the builder's Width became 0: the next Dense(2)
        // threw "inFeatures ('0') must be greater than or equal to '1'", an argument the caller never gave.
        var builder = new SequentialBuilder<float>(3);
        var e = Assert.Throws<ArgumentException>(() => builder.Add(new NoOutputLayer(3)));
        Assert.Equal("layer", e.ParamName);
        Assert.Contains("Layer 0 (NoOutputLayer) has input width 3 and output width 0; both must be at least 1.", e.Message);
        Assert.Equal(3, builder.Width);
        Assert.Empty(builder.Layers);
    }

    [Fact]
    public void BuildingWithNoLayerSaysToAddOne()
    {
        // Build has no argument 'layers': it threw ArgumentException "At least one layer is required. (Parameter
        // 'layers')", the constructor's argument, for the builder's state.
        var builder = new SequentialBuilder<float>(3);
        var e = Assert.Throws<InvalidOperationException>(() => builder.Build(maxBatch: 4));
        Assert.Contains("no layer", e.Message);
        Assert.Contains("before Build", e.Message);
        Assert.Equal(2, builder.Dense(2).Build(maxBatch: 4).OutputSize);
    }

    private sealed class NoOutputLayer(int features) : ILayer<float>
    {
        public int InputSize => features;
        public int OutputSize => 0;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<float> buffers) { }
        public void Forward(Span<float> y, ReadOnlySpan<float> x, LayerBuffers<float> buffers, int batch) { }
        public void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, LayerBuffers<float> buffers, int batch) { }
    }

    // The kernels and model files hold float or double; Half meets the generic constraint, so the build says so rather
    // than the first forward pass failing inside the GEMM.
    [Fact]
    public void AModelOfAnotherElementTypeIsRejectedAtBuild()
    {
        var e = Assert.Throws<NotSupportedException>(() => new SequentialBuilder<Half>(3).Dense(2).Build(maxBatch: 4));
        Assert.Contains("not Half", e.Message);
    }
}
