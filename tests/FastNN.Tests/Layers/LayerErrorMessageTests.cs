using FastNN.Layers;
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
