using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Models;

namespace FastNN.Tests.Layers;

/// <summary>What a model says when a layer (a user's, or one inside a body) throws during a pass.</summary>
public class LayerErrorMessageTests
{
    // IdentityLayer is a user layer written as one would at first: y = x, and dy copied into dx even when dx is empty.
    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public void AFirstLayerThatWritesAnEmptyDxIsToldWhyItIsEmpty()
    {
        // As Trainer runs it: no input gradient wanted, so the first layer gets an empty dx.
        var model = new SequentialBuilder<float>(2).Add(new IdentityLayer<float>(2)).Dense(1).Build(maxBatch: 2);
        model.ComputeInputGradient = false;
        model.Forward(new float[4], 2);
        var e = Assert.Throws<ArgumentException>(() => model.Backward(new float[2], 2));
        Assert.StartsWith("Layer 0 (IdentityLayer) backward, given an empty dx (no input gradient is wanted: skip it, and still accumulate the parameter gradients): ", e.Message);
        Assert.Equal("destination", e.ParamName);
        Assert.Equal(1, Count(e.Message, "(Parameter 'destination')"));

        model.ComputeInputGradient = true; // with a dx to write, the same layer runs, and no hint is given elsewhere
        model.Forward(new float[4], 2);
        model.Backward(new float[2], 2);
    }

    /// <summary>A user layer y = 2x whose backward pass writes dx element by element, as a layer written with loops does.</summary>
    private sealed class IndexedDouble(int features) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) { }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = 2 * x[i];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dy.Length; i++)
                dx[i] = 2 * dy[i];
        }
    }

    /// <summary>
    /// Indexing the empty dx threw a bare IndexOutOfRangeException from inside the layer, without the hint that a CopyTo
    /// into it gets; GradientCheck, whose backward pass with an empty dx runs the layer as a trainer does, threw the same.
    /// </summary>
    [Fact]
    public void AFirstLayerThatIndexesAnEmptyDxIsToldWhyItIsEmpty()
    {
        var model = new Sequential<double>([new IndexedDouble(2), new Dense<double>(2, 1)], maxBatch: 2) { ComputeInputGradient = false };
        model.Forward(new double[4], 2);
        var e = Assert.Throws<ArgumentException>(() => model.Backward(new double[2], 2));
        Assert.StartsWith("Layer 0 (IndexedDouble) backward, given an empty dx (no input gradient is wanted: skip it, and still accumulate the parameter gradients): ", e.Message);
        Assert.Equal("dx", e.ParamName);
        Assert.IsType<IndexOutOfRangeException>(e.InnerException);

        var check = Assert.Throws<ArgumentException>(() =>
            GradientCheck.Check(new IndexedDouble(2), [0.5, -1, 2, 0.25], 2, new MseLoss<double>(), [0, 1, 0, 1]));
        Assert.StartsWith("Layer 0 (IndexedDouble) backward, given an empty dx", check.Message);

        // Inside a Residual's body the body's chain gives the hint, once.
        var nested = new Sequential<double>([new Residual<double>(new IndexedDouble(2)), new Dense<double>(2, 1)], maxBatch: 2) { ComputeInputGradient = false };
        nested.Forward(new double[4], 2);
        var inner = Assert.Throws<ArgumentException>(() => nested.Backward(new double[2], 2));
        Assert.StartsWith("Layer 0 (Residual) backward: residual body layer 0 (IndexedDouble) backward, given an empty dx (no input gradient is wanted", inner.Message);
        Assert.Equal(1, Count(inner.Message, "given an empty dx"));
    }

    [Fact]
    public void TheEmptyDxHintIsGivenToTheUserLayerInsideABlockOnly()
    {
        // The Residual passes its empty dx on to its body, whose first layer wrote it: the hint is for that layer. It was
        // given at both levels, telling the built-in Residual to skip writing dx too.
        var model = new SequentialBuilder<float>(2).Residual(b => b.Add(new IdentityLayer<float>(2))).Dense(1).Build(maxBatch: 2);
        model.ComputeInputGradient = false;
        model.Forward(new float[4], 2);
        var e = Assert.Throws<ArgumentException>(() => model.Backward(new float[2], 2));
        Assert.StartsWith("Layer 0 (Residual) backward: residual body layer 0 (IdentityLayer) backward, given an empty dx (no input gradient is wanted", e.Message);
        Assert.Equal(1, Count(e.Message, "given an empty dx"));
    }

    [Fact]
    public void ANestedLayerErrorNamesItsParameterOnce()
    {
        // Each chain used to append the inner " (Parameter 'batch')" again: twice at one level of nesting, thrice at two.
        var model = new Sequential<double>([new Dense<double>(3, 3), new Residual<double>(new Dense<double>(3, 3), new BatchNorm1d<double>(3))], 4);
        var e = Assert.Throws<ArgumentException>(() => { model.Forward(new double[3], 1); });
        Assert.Equal("batch", e.ParamName);
        Assert.Equal(1, Count(e.Message, "(Parameter 'batch')"));
        Assert.Contains("residual body layer 1 (BatchNorm1d) forward: BatchNorm1d in training mode needs more than 1 row", e.Message);
    }
}
