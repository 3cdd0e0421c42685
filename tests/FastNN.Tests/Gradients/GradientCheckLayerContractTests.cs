using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Gradients;

/// <summary>
/// ILayer's contract on its outputs, which a user's layer can break with values that are right wherever they are
/// written: y and dx are OVERWRITTEN, every element; and when dx is empty (the first layer while a trainer trains,
/// ComputeInputGradient off) the parameter gradients still accumulate.
/// </summary>
public class GradientCheckLayerContractTests
{
    public enum Bug { None, DxWrittenWherePositiveOnly, ParametersSkippedWhenDxEmpty, WeightGradientRoundedOtherwiseWhenDxEmpty }

    /// <summary>A user's layer y = w ⊙ relu(x) + b (per feature), with one switchable mistake.</summary>
    private sealed class ScaledRelu(int features, Bug bug) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations =>
            [new("weight", [features], ParameterKind.Weight), new("bias", [features], ParameterKind.Bias)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;

        public void Initialize(LayerBuffers<double> buffers)
        {
            for (int f = 0; f < features; f++)
            {
                buffers.Parameters[f] = 0.5 + 0.1 * f;
                buffers.Parameters[features + f] = 0.1 * f - 0.2;
            }
        }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = buffers.Parameters[i % features] * Math.Max(x[i], 0) + buffers.Parameters[features + i % features];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            if (bug == Bug.ParametersSkippedWhenDxEmpty && dx.IsEmpty)
                return;
            for (int i = 0; i < dy.Length; i++)
            {
                int f = i % features;
                if (!dx.IsEmpty && (x[i] > 0 || bug != Bug.DxWrittenWherePositiveOnly))
                    dx[i] = x[i] > 0 ? buffers.Parameters[f] * dy[i] : 0;
                buffers.Gradients[f] += Math.Max(x[i], 0) * dy[i] + (bug == Bug.WeightGradientRoundedOtherwiseWhenDxEmpty && dx.IsEmpty ? 1e-9 : 0);
                buffers.Gradients[features + f] += dy[i];
            }
        }
    }

    // 4 rows of 3 features, the middle feature negative in every row (relu's zero slope there, away from the kink), and a
    // target away from the output.
    private static readonly double[] Input = [0.5, -1.2, 0.8, 1.5, -0.4, 0.9, 0.7, -0.2, 0.3, 1.1, -0.6, 0.4];
    private static readonly double[] Target = [0.15, 0.2, -0.3, 0.4, 0.0, -0.1, 0.5, 0.3, 0.2, 0.1, 0.0, 0.3];

    [Fact]
    public void TheCorrectLayerPassesAtBatch4And1()
    {
        GradientCheck.Assert(new ScaledRelu(3, Bug.None), Input, 4, new MseLoss<double>(), Target);
        GradientCheck.Assert(new ScaledRelu(3, Bug.None), Input.AsSpan(0, 3), 1, new MseLoss<double>(), Target.AsSpan(0, 3));
    }

    /// <summary>
    /// Leaving dx unwritten where the gradient is 0 passed: the element kept the 0 it was allocated with. In a model the
    /// layer's dx is a buffer other layers write, so that element then holds another layer's gradient (the last row below).
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public void ALayerThatLeavesPartOfDxUnwrittenFailsThere(int batch)
    {
        GradientCheckResult result = GradientCheck.Check(new ScaledRelu(3, Bug.DxWrittenWherePositiveOnly), Input.AsSpan(0, 3 * batch), batch,
            new MseLoss<double>(), Target.AsSpan(0, 3 * batch));
        Assert.False(result.Passed, result.ToString());
        Assert.Equal([new("input", batch)], result.FailedByTensor);
        Assert.Equal("input", result.WorstTensor);
        Assert.EndsWith(", 1]", result.WorstIndex);
        Assert.True(double.IsNaN(result.Analytic), result.ToString());
        Assert.Equal(0, result.Numeric);

        // The same layer after another, where its dx is a buffer between layers (which other layers' gradients pass through).
        var model = new Sequential<double>([new Dense<double>(3, 3), new ScaledRelu(3, Bug.DxWrittenWherePositiveOnly)], batch, seed: 1);
        Assert.False(GradientCheck.Check(model, Input.AsSpan(0, 3 * batch), batch, new MseLoss<double>(), Target.AsSpan(0, 3 * batch)).Passed);
    }

    /// <summary>
    /// A layer that returned early when dx is empty passed, since the checker always asked for dx; a trainer, which does
    /// not, then never updated it as the first layer of a model. Its parameter gradients from that pass are reported
    /// under the tensor's name followed by "(empty dx)".
    /// </summary>
    [Fact]
    public void ALayerThatSkipsItsParameterGradientsWhenDxIsEmptyFails()
    {
        var e = Assert.Throws<GradientCheckException>(() =>
            GradientCheck.Assert(new ScaledRelu(3, Bug.ParametersSkippedWhenDxEmpty), Input, 4, new MseLoss<double>(), Target));
        // Every element but the middle feature's weight, whose gradient is 0 (relu′ = 0 there), which the analytic 0 matches.
        Assert.Equal([new("0.weight (empty dx)", 2), new("0.bias (empty dx)", 3)], e.Result.FailedByTensor);
        Assert.Equal(12 + 6, e.Result.CheckedElements);
        Assert.Equal(0, e.Result.Analytic);
        Assert.Contains("(empty dx)[", e.Message);
    }

    /// <summary>
    /// A layer whose parameter gradients from the pass with an empty dx differ from the other pass's within the tolerance
    /// (a sum taken in another order, say) passes, and its worst element is not named "(empty dx)", which says the element
    /// was wrong in that pass only. Before, the pass with an empty dx, right too, could be the worst and was so named.
    /// </summary>
    [Fact]
    public void AnElementRightInBothPassesIsNotNamedAsWrongWithAnEmptyDx()
    {
        GradientCheckResult result = GradientCheck.Check(new ScaledRelu(3, Bug.WeightGradientRoundedOtherwiseWhenDxEmpty), Input, 4, new MseLoss<double>(), Target);
        Assert.True(result.Passed, result.ToString());
        Assert.DoesNotContain("(empty dx)", result.WorstTensor);
        Assert.DoesNotContain("(empty dx)", result.ToString());
    }

    /// <summary>y = relu(x), whose forward pass writes y only where x &gt; 0; its backward pass is right.</summary>
    private sealed class HalfWrittenRelu(int features) : ILayer<double>
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
            {
                if (x[i] > 0)
                    y[i] = x[i];
            }
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dx.Length; i++)
                dx[i] = x[i] > 0 ? dy[i] : 0;
        }
    }

    /// <summary>
    /// Leaving y unwritten where it is 0 passed: the element kept the 0 it was allocated with, and its gradient is 0
    /// either way. In a model it keeps the last batch's value instead (the second model below, after one pass on
    /// other rows). The checked forward pass now starts from a workspace of NaN: the loss is NaN, and every element fails.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public void ALayerThatLeavesPartOfYUnwrittenFails(int batch)
    {
        GradientCheckResult result = GradientCheck.Check(new HalfWrittenRelu(3), Input.AsSpan(0, 3 * batch), batch,
            new MseLoss<double>(), Target.AsSpan(0, 3 * batch));
        Assert.False(result.Passed, result.ToString());
        Assert.Equal(3 * batch, result.FailedElements);
        Assert.True(double.IsNaN(result.Numeric), result.ToString());

        var model = new Sequential<double>([new HalfWrittenRelu(3)], batch);
        model.Forward([.. Input.AsSpan(0, 3 * batch).ToArray().Select(v => -v)], batch);
        Assert.NotEqual(0, model.Forward(Input.AsSpan(0, 3 * batch), batch)[1]);   // relu(−1.2), left at 1.2
    }

    [Fact]
    public void TheModelsComputeInputGradientAndModeAreLeftAsFound()
    {
        foreach ((bool computeInputGradient, bool training) in new[] { (false, true), (true, false) })
        {
            var model = new Sequential<double>([new ScaledRelu(3, Bug.None), new Dropout<double>(3)], 4, seed: 2)
            {
                ComputeInputGradient = computeInputGradient, Training = training,
            };
            GradientCheck.Assert(model, Input, 4, new MseLoss<double>(), Target);
            Assert.Equal(computeInputGradient, model.ComputeInputGradient);
            Assert.Equal(training, model.Training);
        }
    }
}
