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

    [Fact]
    public void ScratchLengthIsAskedOnlyForABatchOfAtLeastOneRow()
    {
        // ILayer.ScratchLength takes "rows in the batch (at least 1)", and a layer of one's own may refuse 0, as this one
        // does. The model asked for batch 0 to hand Initialize a scratch it never uses: building it (and Initialize)
        // threw the layer's ArgumentOutOfRangeException 'batch', from inside the model's constructor.
        var model = new Sequential<double>([new Dense<double>(2, 3), new RowScratchLayer(3), new Dense<double>(3, 1)], maxBatch: 4, seed: 1);
        model.Initialize(2);
        model.Forward([0.5, -1, 2, 0.25, 1, 1], 3);
        model.Backward([1, -1, 0.5], 3);
        Assert.Equal(6, model.InputGradient(3).Length);
    }

    [Fact]
    public void AScratchLengthThatShrinksAsTheBatchGrowsNamesTheLayer()
    {
        // ILayer.ScratchLength must not decrease as the batch grows: the workspace is sized for MaxBatch. One that did made
        // a smaller batch's Forward throw a bare "Specified argument was out of the range of valid values." from inside the model.
        var model = new Sequential<double>([new Dense<double>(2, 2), new ShrinkingScratchLayer(2)], maxBatch: 4);
        model.Forward(new double[8], 4);
        var e = Assert.Throws<ArgumentException>(() => { model.Forward(new double[2], 1); });
        Assert.Equal("batch", e.ParamName);
        Assert.StartsWith("Layer 1 (ShrinkingScratchLayer) asks for 800 elements of scratch at batch 1 but 200 at the model's MaxBatch 4", e.Message);
        Assert.Contains("must not decrease as the batch grows", e.Message);
        Assert.Throws<InvalidOperationException>(() => model.Backward(new double[2], 1));
    }

    /// <summary>A user layer (y = x) whose scratch shrinks as the batch grows, against ILayer's contract.</summary>
    private sealed class ShrinkingScratchLayer(int features) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 1000 - 200 * batch;
        public void Initialize(LayerBuffers<double> buffers) { }
        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch) => x.CopyTo(y);
        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch) => dy.CopyTo(dx);
    }

    /// <summary>A user layer (y = x) taking one element of scratch per row, refusing a batch below 1 as ILayer's docs allow.</summary>
    private sealed class RowScratchLayer(int features) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];

        public int ScratchLength(int batch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
            return batch;
        }

        public void Initialize(LayerBuffers<double> buffers) { }
        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch) => x.CopyTo(y);
        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch) => dy.CopyTo(dx);
    }

    // Two tensors under one state-dict name: ModelFile.Save used to write a file with the name twice in its header,
    // which every load then refused ("the header names '1.scale' twice"): the trained weights were unreadable.
    public static TheoryData<ParameterDeclaration[], StateDeclaration[]> SharedNames => new()
    {
        { [new("scale", [2], ParameterKind.NormScale), new("scale", [2], ParameterKind.NormShift)], [] },
        { [new("scale", [2], ParameterKind.NormScale)], [new("scale", [2])] },
        { [], [new("count", [], IsInteger: true), new("count", [2])] },
    };

    [Theory]
    [MemberData(nameof(SharedNames))]
    public void TwoTensorsOfOneNameAreRefusedAtBuildNamingTheLayerAndTensor(ParameterDeclaration[] parameters, StateDeclaration[] state)
    {
        string name = parameters.Length > 0 ? parameters[0].Name : state[0].Name;
        var e = Assert.Throws<ArgumentException>(() =>
            new SequentialBuilder<float>(2).Dense(2).Add(new DeclaringLayer<float>(parameters, state)).Build(maxBatch: 2));
        Assert.Contains("Layer 1 (DeclaringLayer)", e.Message);
        Assert.Contains($"two tensors named 1.{name}", e.Message);
        var inner = Assert.Throws<ArgumentException>(() =>
            new SequentialBuilder<float>(2).Residual(b => b.Dense(2).Add(new DeclaringLayer<float>(parameters, state))).Build(maxBatch: 2));
        Assert.Contains("residual body layer 1 (DeclaringLayer)", inner.Message);
        // The argument named is the list the layer was given in: the model's layers, a block's body.
        Assert.Equal("layers", e.ParamName);
        Assert.Equal("body", inner.ParamName);
    }

    [Fact]
    public void TensorsOfDistinctNamesInOneLayerAndOfOneNameInTwoLayersAreAccepted()
    {
        var model = new Sequential<float>([
            new DeclaringLayer<float>([new("weight", [2, 2], ParameterKind.Weight), new("bias", [2], ParameterKind.Bias)], [new("running_mean", [2])]),
            new DeclaringLayer<float>([new("weight", [2, 2], ParameterKind.Weight)], [new("running_mean", [2])])], 2);
        Assert.Equal(["0.weight", "0.bias", "1.weight"], model.ParameterTensors.Select(t => t.Name));
        Assert.Equal(["0.running_mean", "1.running_mean"], model.StateTensors.Select(t => t.Name));
    }

    // A lone surrogate has no UTF-8 encoding: the header's JSON writer put U+FFFD in its place, so LoadWeights into the
    // very model that saved the file reported the tensor missing (and the file's name unexpected).
    public static TheoryData<ParameterDeclaration[], StateDeclaration[]> LoneSurrogateNames => new()
    {
        { [new("w\ud800", [2], ParameterKind.Weight)], [] },
        { [], [new("\udc00mean", [2])] },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogateNames))]
    public void ANameWithALoneSurrogateIsRefusedAtBuildNamingTheLayer(ParameterDeclaration[] parameters, StateDeclaration[] state)
    {
        string name = parameters.Length > 0 ? parameters[0].Name : state[0].Name;
        var e = Assert.Throws<ArgumentException>(() =>
            new SequentialBuilder<float>(2).Dense(2).Add(new DeclaringLayer<float>(parameters, state)).Build(maxBatch: 2));
        Assert.Contains("Layer 1 (DeclaringLayer)", e.Message);
        Assert.Contains($"lone surrogate (U+{(int)name.First(char.IsSurrogate):X4})", e.Message);
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
