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
    public enum Bug { None, InputSign, WeightTimes2, WeightOverwrites, WeightFirstRowOnly, InputLastRowWrong, BiasMissing, StaleCache, InputAccumulates }

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
            for (int r = 0; r < (dx.IsEmpty ? 0 : batch); r++)
                for (int i = 0; i < In; i++)
                {
                    double s = 0;
                    for (int o = 0; o < Out; o++)
                        s += w[o * In + i] * dy[r * Out + o];
                    if (bug == Bug.InputSign || (bug == Bug.InputLastRowWrong && r == batch - 1))
                        s = -s;
                    if (bug == Bug.InputAccumulates)
                        dx[r * In + i] += s;
                    else
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
    [InlineData(Bug.InputAccumulates, "input")]
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
    public void TheFailureMessageIsTheOneTheReadmeQuotes()
    {
        // The README shows the message "for a layer that forgets its bias gradient": this layer, on these rows. The central
        // difference's last digits (from 1e-10) depend on the instruction-set path (the loss sums in another order), so the
        // numeric value is compared to 9 digits.
        var e = Assert.Throws<GradientCheckException>(() =>
            GradientCheck.Assert(new UserDense(Bug.BiasMissing), Input, 3, new MseLoss<double>(), Target));
        Assert.Contains(NineDigits($"`{e.Message}` for a layer that forgets its bias gradient"), NineDigits(Readme.ReadmeText.Prose));
    }

    private static string NineDigits(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"numeric (-?[0-9.]+(E[-+]?[0-9]+)?)",
        m => "numeric " + double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ToString("G9", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void AWrongLastRowIsLocatedInTheLastRow()
    {
        GradientCheckResult result = Check(Bug.InputLastRowWrong);
        Assert.StartsWith("[2, ", result.WorstIndex);
    }

    [Fact]
    public void TheReportCountsTheFailedElementsOfEachTensor()
    {
        // Only the last row's two input elements are wrong (negated; each |g| ≫ atol): not the other rows, not the parameters.
        GradientCheckResult row = Check(Bug.InputLastRowWrong);
        Assert.Equal(2, row.FailedElements);
        Assert.Equal([new("input", 2)], row.FailedByTensor);
        // Every bias element is missing, nothing else.
        GradientCheckResult bias = Check(Bug.BiasMissing);
        Assert.Equal(3, bias.FailedElements);
        Assert.Contains("(3 failed: 0.bias 3)", bias.ToString());
        GradientCheckResult ok = Check(Bug.None);
        Assert.Equal(0, ok.FailedElements);
        Assert.Empty(ok.FailedByTensor);
    }

    [Fact]
    public void ALayerThatOverwritesItsParameterGradientsShowsAnalyticValuesOneBelowTheTrueOnes()
    {
        // The checker starts the gradients at 1 (documented): overwriting them loses exactly that 1.
        GradientCheckResult result = Check(Bug.WeightOverwrites);
        Assert.False(result.Passed);
        Assert.Equal(result.Numeric - 1, result.Analytic, 1e-8);
    }

    /// <summary>
    /// y = x − m per feature, where in training m is the running mean after this batch's update
    /// (m ← 0.9·m + 0.1·batch mean), kept in the state; with <paramref name="ignoreMeanPath"/> the backward pass
    /// forgets that m depends on x (dx = dy), a real mistake; otherwise dx = dy − 0.1·(Σ_rows dy) / batch.
    /// </summary>
    private sealed class RunningCentre(int features, bool ignoreMeanPath) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [new("running_mean", [features])];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) => buffers.State.Fill(0.3);

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int f = 0; f < features; f++)
            {
                if (buffers.Training)
                {
                    double mean = 0;
                    for (int r = 0; r < batch; r++)
                        mean += x[r * features + f] / batch;
                    buffers.State[f] = 0.9 * buffers.State[f] + 0.1 * mean;
                }
                for (int r = 0; r < batch; r++)
                    y[r * features + f] = x[r * features + f] - buffers.State[f];
            }
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            if (dx.IsEmpty)
                return;
            for (int f = 0; f < features; f++)
            {
                double sum = 0;
                for (int r = 0; r < batch; r++)
                    sum += dy[r * features + f];
                for (int r = 0; r < batch; r++)
                    dx[r * features + f] = dy[r * features + f] - (ignoreMeanPath || !buffers.Training ? 0 : 0.1 * sum / batch);
            }
        }
    }

    [Fact]
    public void RunningStatisticsAreNeitherCorruptedNorAllowedToHideAMistake()
    {
        var model = new Sequential<double>([new RunningCentre(3, ignoreMeanPath: false)], 3, seed: 0);
        double[] state = model.State.ToArray();
        GradientCheck.Assert(model, Input.Concat(Input).Take(9).ToArray(), 3, new MseLoss<double>(), Target);
        Assert.Equal(state, model.State.ToArray());
        model.Training = false;
        GradientCheck.Assert(model, Input.Concat(Input).Take(9).ToArray(), 3, new MseLoss<double>(), Target);

        var broken = GradientCheck.Check(new RunningCentre(3, ignoreMeanPath: true), Input.Concat(Input).Take(9).ToArray(), 3, new MseLoss<double>(), Target);
        Assert.False(broken.Passed);
        Assert.Equal("input", broken.WorstTensor);
    }

    /// <summary>y = max(x, 0), correct everywhere but at its kink.</summary>
    private sealed class UserRelu(int features) : ILayer<double>
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
                y[i] = Math.Max(x[i], 0);
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dx.Length; i++)
                dx[i] = x[i] > 0 ? dy[i] : 0;
        }
    }

    [Fact]
    public void AKinkAtASamplePointFailsAndInputsAwayFromItPassAsDocumented()
    {
        // At x = 0 the central difference sees half of each side's slope: no analytic choice matches it.
        double[] target = [0.5, 0.5, 0.5, 0.5];
        GradientCheckResult atKink = GradientCheck.Check(new UserRelu(2), [0.0, 1.0, -1.0, 0.5], 2, new MseLoss<double>(), target);
        Assert.False(atKink.Passed);
        Assert.Equal("[0, 0]", atKink.WorstIndex);
        Assert.Equal(0.5 * (2 * (0 - 0.5) / 4), atKink.Numeric, 1e-6);   // plus h/8 from the quadratic
        // The README's advice: keep every input at least 1e-3 (well over the step 1e-6) from a kink.
        GradientCheck.Assert(new UserRelu(2), [1e-3, 1.0, -1.0, 0.5], 2, new MseLoss<double>(), target);
        GradientCheck.Assert(new UserRelu(2), [-1e-3, 1.0, -1.0, 0.5], 2, new MseLoss<double>(), target);
    }
}
