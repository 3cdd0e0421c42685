using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Models;

/// <summary>Forward over a span copies the input; forward over memory reads the caller's rows in place until the backward pass.</summary>
public class InPlaceInputTests
{
    private static Sequential<double> Model() => new([new Dense<double>(3, 4), new Relu<double>(4), new Dense<double>(4, 2)], maxBatch: 2, seed: 4);

    private static readonly double[] Input = [0.5, -1, 2, 1.5, 0.25, -0.75];
    private static readonly double[] OutputGradient = [1, -2, 0.5, 3];

    /// <summary>The first layer's weight gradient after a forward pass on <paramref name="input"/> and a backward pass.</summary>
    private static double[] WeightGradient(double[] input)
    {
        Sequential<double> model = Model();
        model.Forward(input, 2);
        model.Backward(OutputGradient, 2);
        return model.Gradients[..12].ToArray();
    }

    [Fact]
    public void ForwardOverMemoryReadsTheCallersRowsUntilTheBackwardPass()
    {
        double[] changed = [.. Input.Select(v => v * 3)];
        Sequential<double> model = Model();
        double[] rows = (double[])Input.Clone();
        double[] output = model.Forward(rows.AsMemory(), 2).ToArray();
        Assert.Equal(Model().Forward(Input, 2).ToArray(), output);
        // Changed between the passes: the backward pass sees the new rows (documented: they must not change).
        changed.CopyTo(rows, 0);
        model.Backward(OutputGradient, 2);
        Assert.NotEqual(WeightGradient(Input), model.Gradients[..12].ToArray());
        // The first layer's weight gradient is dYᵀ X: scaling X scales it, since the ReLU mask did not change.
        double[] expected = WeightGradient(Input), actual = model.Gradients[..12].ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(3 * expected[i], actual[i], 1e-12);
    }

    [Fact]
    public void ForwardOverASpanCopiesTheRows()
    {
        Sequential<double> model = Model();
        double[] rows = (double[])Input.Clone();
        model.Forward(rows, 2);
        Array.Fill(rows, 100.0);
        model.Backward(OutputGradient, 2);
        Assert.Equal(WeightGradient(Input), model.Gradients[..12].ToArray());
    }

    [Fact]
    public void ForwardOverMemoryChecksTheLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Model().Forward(new double[5].AsMemory(), 2));
        Assert.Equal("input", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Model().Forward(new double[9].AsMemory(), 3));
    }
}
