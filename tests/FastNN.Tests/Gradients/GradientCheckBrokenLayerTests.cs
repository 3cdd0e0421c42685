using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Gradients;

/// <summary>
/// Layers with the mistakes users make in a backward pass, each of which the checker must flag under its default
/// options, naming the tensor and element; and correct layers it must pass.
/// </summary>
public class GradientCheckBrokenLayerTests
{
    public enum Bug { None, InputSign, WeightTimes2, WeightOverwrites, WeightFirstRowOnly, InputLastRowWrong, BiasMissing, StaleCache }

    /// <summary>A user's dense layer y = x·Wᵀ + b (2 → 3 features), with one switchable mistake.</summary>
    private sealed class UserDense(Bug bug) : ILayer<double>
    {
        private const int In = 2, Out = 3;
        private double[]? _cachedInput;   // StaleCache: saved on the first forward pass only

        public int InputSize => In;
        public int OutputSize => Out;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations =>
            [new("weight", [Out, In], ParameterKind.Weight), new("bias", [Out], ParameterKind.Bias)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;

        public void Initialize(LayerBuffers<double> buffers)
        {
            double[] w = [0.7, -0.4, 0.2, 0.9, -0.6, 0.5], b = [0.1, -0.3, 0.25];
            w.CopyTo(buffers.Parameters);
            b.CopyTo(buffers.Parameters[(Out * In)..]);
        }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            if (bug == Bug.StaleCache)
                _cachedInput ??= x.ToArray();
            ReadOnlySpan<double> w = buffers.Parameters[..(Out * In)], b = buffers.Parameters[(Out * In)..];
            for (int r = 0; r < batch; r++)
                for (int o = 0; o < Out; o++)
                {
                    double s = b[o];
                    for (int i = 0; i < In; i++)
                        s += w[o * In + i] * x[r * In + i];
                    y[r * Out + o] = s;
                }
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            ReadOnlySpan<double> w = buffers.Parameters[..(Out * In)];
            Span<double> dw = buffers.Gradients[..(Out * In)], db = buffers.Gradients[(Out * In)..];
            ReadOnlySpan<double> seen = bug == Bug.StaleCache ? _cachedInput : x;
            for (int r = 0; r < batch; r++)
                for (int i = 0; i < In; i++)
                {
                    double s = 0;
                    for (int o = 0; o < Out; o++)
                        s += w[o * In + i] * dy[r * Out + o];
                    if (bug == Bug.InputSign || (bug == Bug.InputLastRowWrong && r == batch - 1))
                        s = -s;
                    dx[r * In + i] = s;
                }
            for (int o = 0; o < Out; o++)
            {
                for (int i = 0; i < In; i++)
                {
                    double s = 0;
                    for (int r = 0; r < (bug == Bug.WeightFirstRowOnly ? 1 : batch); r++)
                        s += dy[r * Out + o] * seen[r * In + i];
                    if (bug == Bug.WeightOverwrites)
                        dw[o * In + i] = s;
                    else
                        dw[o * In + i] += (bug == Bug.WeightTimes2 ? 2 : 1) * s;
                }
                if (bug != Bug.BiasMissing)
                    for (int r = 0; r < batch; r++)
                        db[o] += dy[r * Out + o];
            }
        }
    }

    // 3 rows of 2 features, and a target of 3 rows of 3 outputs, all of order 1 as in the README's example.
    private static readonly double[] Input = [0.5, -1.2, 1.5, 0.3, -0.8, 0.9];
    private static readonly double[] Target = [0.2, -0.5, 1.0, -0.3, 0.4, 0.1, 0.6, -0.2, -0.7];

    private static GradientCheckResult Check(Bug bug) => GradientCheck.Check(new UserDense(bug), Input, 3, new MseLoss<double>(), Target);

    [Fact]
    public void TheCorrectLayerPasses()
    {
        GradientCheckResult result = Check(Bug.None);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(6 + 6 + 3, result.CheckedElements);
    }

    [Theory]
    [InlineData(Bug.InputSign, "input")]
    [InlineData(Bug.InputLastRowWrong, "input")]
    [InlineData(Bug.WeightTimes2, "0.weight")]
    [InlineData(Bug.WeightFirstRowOnly, "0.weight")]
    [InlineData(Bug.WeightOverwrites, "0.weight")]
    [InlineData(Bug.BiasMissing, "0.bias")]
    [InlineData(Bug.StaleCache, "0.weight")]
    public void EachMistakeIsFlaggedInTheTensorThatHasIt(Bug bug, string tensor)
    {
        var e = Assert.Throws<GradientCheckException>(() =>
            GradientCheck.Assert(new UserDense(bug), Input, 3, new MseLoss<double>(), Target));
        Assert.Equal(tensor, e.Result.WorstTensor);
        Assert.Contains($"{tensor}[", e.Message);
    }

    [Fact]
    public void AWrongLastRowIsLocatedInTheLastRow()
    {
        GradientCheckResult result = Check(Bug.InputLastRowWrong);
        Assert.StartsWith("[2, ", result.WorstIndex);
    }

    [Fact]
    public void ALayerThatOverwritesItsParameterGradientsShowsAnalyticValuesOneBelowTheTrueOnes()
    {
        // The checker starts the gradients at 1 (documented): overwriting them loses exactly that 1.
        GradientCheckResult result = Check(Bug.WeightOverwrites);
        Assert.False(result.Passed);
        Assert.Equal(result.Numeric - 1, result.Analytic, 1e-8);
    }
}
