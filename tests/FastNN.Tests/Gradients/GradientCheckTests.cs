using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Gradients;

public class GradientCheckTests
{
    /// <summary>A user layer y = w ⊙ x², with switches that break its backward pass on purpose.</summary>
    private sealed class ScaledSquare(int features, bool dropInputFactor2 = false, int breakWeightAt = -1) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [new("weight", [features], ParameterKind.Weight)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;

        public void Initialize(LayerBuffers<double> buffers)
        {
            for (int i = 0; i < features; i++)
                buffers.Parameters[i] = 0.5 + 0.1 * i;
        }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = buffers.Parameters[i % features] * x[i] * x[i];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dy.Length; i++)
            {
                int c = i % features;
                if (!dx.IsEmpty)
                    dx[i] = (dropInputFactor2 ? 1 : 2) * buffers.Parameters[c] * x[i] * dy[i];
                buffers.Gradients[c] += (c == breakWeightAt ? 1.5 : 1) * x[i] * x[i] * dy[i];
            }
        }
    }

    private static readonly double[] Input = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, -0.7, 0.2];
    private static readonly double[] Target = [0.1, 0.2, -0.3, 0.4, 0.0, -0.1, 0.5, 0.3];

    [Fact]
    public void ACorrectUserLayerPasses()
    {
        GradientCheck.Assert(new ScaledSquare(4), Input, 2, new MseLoss<double>(), Target);
        GradientCheckResult result = GradientCheck.Check(new ScaledSquare(4), Input, 2, new MseLoss<double>(), Target);
        Assert.True(result.Passed);
        Assert.Equal(8 + 4, result.CheckedElements);
        Assert.True(result.Error < 1e-8, result.ToString());
    }

    [Fact]
    public void AMissingFactor2InTheInputGradientIsReportedAtTheWorstElement()
    {
        GradientCheckResult result = GradientCheck.Check(new ScaledSquare(4, dropInputFactor2: true), Input, 2, new MseLoss<double>(), Target);
        Assert.False(result.Passed);
        Assert.Equal("input", result.WorstTensor);

        // Independently: the true gradient is g = 2·w·x·dy with dy = 2(y − t)/N; the broken one is g/2, so the
        // error is |g|/2 and the worst element maximizes (|g|/2) / (atol + rtol·|g|).
        int worst = -1;
        double worstRatio = -1, worstTrue = 0;
        for (int i = 0; i < Input.Length; i++)
        {
            double w = 0.5 + 0.1 * (i % 4);
            double dy = 2 * (w * Input[i] * Input[i] - Target[i]) / Input.Length;
            double g = 2 * w * Input[i] * dy;
            double ratio = Math.Abs(g) / 2 / (1e-5 + 1e-3 * Math.Abs(g));
            if (ratio > worstRatio)
                (worst, worstRatio, worstTrue) = (i, ratio, g);
        }
        Assert.Equal($"[{worst / 4}, {worst % 4}]", result.WorstIndex);
        Assert.Equal(worstTrue, result.Numeric, 1e-8);
        Assert.Equal(worstTrue / 2, result.Analytic, 1e-12);
    }

    [Fact]
    public void AWrongParameterGradientNamesTheTensorAndIndex()
    {
        var e = Assert.Throws<GradientCheckException>(() =>
            GradientCheck.Assert(new ScaledSquare(4, breakWeightAt: 2), Input, 2, new MseLoss<double>(), Target));
        Assert.Equal("0.weight", e.Result.WorstTensor);
        Assert.Equal("[2]", e.Result.WorstIndex);
        Assert.Contains("0.weight[2]", e.Message);
        Assert.Contains("FAILED", e.Message);
    }

    [Fact]
    public void DefaultsAreTorchGradcheck()
    {
        var options = GradientCheckOptions.Default;
        Assert.Equal(1e-6, options.Epsilon);
        Assert.Equal(1e-5, options.AbsoluteTolerance);
        Assert.Equal(1e-3, options.RelativeTolerance);
    }

    [Fact]
    public void TighterTolerancesCanFailWhatDefaultsPass()
    {
        // Central differences at h = 0.1 on a cubic loss surface err by O(h²); zero tolerance must report it.
        var strict = new GradientCheckOptions { Epsilon = 0.1, AbsoluteTolerance = 0, RelativeTolerance = 0 };
        Assert.False(GradientCheck.Check(new ScaledSquare(4), Input, 2, new MseLoss<double>(), Target, strict).Passed);
    }

    [Fact]
    public void TheModelIsLeftAsItWasFound()
    {
        var model = new Sequential<double>([new Dense<double>(4, 4), new BatchNorm1d<double>(4), new Dropout<double>(4)], 2, seed: 3);
        model.Gradients.Fill(0.25);
        double[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
        var random = model.Random.State;
        GradientCheck.Assert(model, Input, 2, new MseLoss<double>(), Target);
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0.25, g));
        Assert.Equal(random, model.Random.State);
    }

    /// <summary>
    /// The check runs forward passes of its own (on its input, with a parameter off by h), so the activations a Backward
    /// reads afterwards are not those of the caller's last Forward. That Backward ran on them, silently giving the
    /// gradients of another input and other weights; it is refused until the next Forward, as after SetTensor.
    /// </summary>
    [Fact]
    public void ABackwardAfterTheCheckNeedsANewForward()
    {
        var model = new Sequential<double>([new Dense<double>(4, 4), new Tanh<double>(4)], 2, seed: 3);
        model.Forward(Input, 2);
        GradientCheck.Assert(model, Target, 2, new MseLoss<double>(), Input);
        var e = Assert.Throws<InvalidOperationException>(() => model.Backward(Target, 2));
        Assert.Contains("no Forward has completed since", e.Message);
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0, g));

        // After a new Forward, the gradients are the model's at that input, as in a model the check never saw.
        var untouched = new Sequential<double>([new Dense<double>(4, 4), new Tanh<double>(4)], 2, seed: 3);
        foreach (Sequential<double> m in new[] { model, untouched })
        {
            m.Forward(Input, 2);
            m.Backward(Target, 2);
        }
        Assert.Equal(untouched.Gradients.ToArray(), model.Gradients.ToArray());
    }

    /// <summary>
    /// At a non-finite input or prediction x ± h is x (or ∞ − ∞ is NaN): the central difference is NaN whatever the gradient,
    /// and with the loss NaN at every evaluation every element failed, reported as wrong gradients of a correct layer (a NaN
    /// in test data, say). Refused now, naming the element.
    /// </summary>
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ANonFiniteInputOrPredictionIsRefusedNamingItsElement(double value)
    {
        double[] x = [.. Input];
        x[5] = value;
        var e = Assert.Throws<ArgumentException>(() => GradientCheck.Check(new ScaledSquare(4), x, 2, new MseLoss<double>(), Target));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("input[1, 1] is " + value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        e = Assert.Throws<ArgumentException>(() => GradientCheck.CheckLoss(new MseLoss<double>(), x, Target, 4));
        Assert.Equal("prediction", e.ParamName);
        Assert.Contains("prediction[2, 1] is", e.Message);
        // A non-finite target is the loss's to judge (a loss of one's own may skip missing labels): it is run.
        double[] t = [.. Target];
        t[5] = value;
        Assert.False(GradientCheck.Check(new ScaledSquare(4), Input, 2, new MseLoss<double>(), t).Passed);
    }

    /// <summary>y = s·x with a scale s that its Forward requires to be positive, as a user layer may check.</summary>
    private sealed class PositiveScale(double initial) : ILayer<double>
    {
        public int InputSize => 4;
        public int OutputSize => 4;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [new("scale", [1], ParameterKind.Weight)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) => buffers.Parameters[0] = initial;

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            double s = buffers.Parameters[0];
            if (!(s > 0))
                throw new InvalidOperationException($"scale {s} must be positive.");
            for (int i = 0; i < y.Length; i++)
                y[i] = s * x[i];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dy.Length; i++)
            {
                if (!dx.IsEmpty)
                    dx[i] = buffers.Parameters[0] * dy[i];
                buffers.Gradients[0] += x[i] * dy[i];
            }
        }
    }

    /// <summary>
    /// A layer that throws on a perturbed parameter (its scale, h/2 above zero, is stepped to −h/2) leaves the check by
    /// that exception; the model's parameters are still as found (the scale stayed at −h/2 before).
    /// </summary>
    [Fact]
    public void TheModelIsLeftAsItWasFoundWhenALayerThrowsMidCheck()
    {
        var model = new Sequential<double>([new Dense<double>(4, 4), new PositiveScale(GradientCheckOptions.Default.Epsilon / 2)], 2, seed: 5);
        double[] parameters = model.Parameters.ToArray();
        Assert.Throws<InvalidOperationException>(() => GradientCheck.Check(model, Input, 2, new MseLoss<double>(), Target));
        Assert.Equal(parameters, model.Parameters.ToArray());
    }

    /// <summary>y = x − c per element: with c = 1.7e9, a layer that centres raw Unix timestamps (seconds).</summary>
    private sealed class Centre(int features, double c) : ILayer<double>
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
                y[i] = x[i] - c;
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            if (!dx.IsEmpty)
                dy.CopyTo(dx);
        }
    }

    /// <summary>
    /// Near 1.7e9 doubles are 2.4e-7 apart, so x ± h (h = 1e-6) rounds to x ± 4 of those spacings, 9.5e-7, 4.6% under h;
    /// dividing by 2h made the central difference of this correct layer that far off (it failed under the defaults). The
    /// step actually taken, (x + h) − (x − h) as rounded, is exact; divided by it, the difference matches dL/dx = 2y/N
    /// (y = x − 1.7e9 exactly).
    /// </summary>
    [Fact]
    public void AnInputFarFromZeroIsDifferencedOverTheStepActuallyTaken()
    {
        double[] offsets = [0.3, -0.7, 1.1, 0.45], input = [.. offsets.Select(o => 1.7e9 + o)];
        GradientCheck.Assert(new Centre(2, 1.7e9), input, 2, new MseLoss<double>(), new double[4]);
        GradientCheckResult result = GradientCheck.Check(new Centre(2, 1.7e9), input, 2, new MseLoss<double>(), new double[4],
            new GradientCheckOptions { AbsoluteTolerance = 0, RelativeTolerance = 1e-6 });
        Assert.True(result.Passed, result.ToString());
    }

    /// <summary>
    /// Above 2³⁴ doubles are more than 2h apart and x ± h rounds to x: no step is taken. The difference was reported as 0
    /// (L(x) − L(x) over 2h), as if the gradient were 0, which passes a layer whose analytic gradient is wrongly 0 there; it
    /// is NaN now, as GradientCheckOptions.Epsilon says, and the element fails whatever its analytic value.
    /// </summary>
    [Fact]
    public void AStepThatVanishesGivesANumericNaN()
    {
        double c = Math.Pow(2, 35);
        GradientCheckResult result = GradientCheck.Check(new Centre(1, c), [c + 0.5, c - 0.25], 2, new MseLoss<double>(), new double[2]);
        Assert.Equal(2, result.FailedElements);
        Assert.True(double.IsNaN(result.Numeric), result.ToString());
    }

    /// <summary>L = Σ p², a user's loss that ignores the batch it is given; gradient 2p: written, added (<paramref name="accumulates"/>), or left unwritten at the last element (<paramref name="skipLast"/>).</summary>
    private sealed class SumOfSquares(bool accumulates = false, bool skipLast = false) : ILoss<double>
    {
        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, Span<double> gradient, int batch)
        {
            double loss = 0;
            for (int i = 0; i < prediction.Length; i++)
            {
                loss += prediction[i] * prediction[i];
                if (skipLast && i == prediction.Length - 1)
                    continue;
                gradient[i] = (accumulates ? gradient[i] : 0) + 2 * prediction[i];
            }
            return loss;
        }
    }

    /// <summary>
    /// CheckLoss checks the batch itself, not only through the loss: with a loss that ignores it, batch 0 threw
    /// DivideByZeroException, and 4 rows of 6 values ran with a shape [4, 1] that drops two of them from the report.
    /// </summary>
    [Fact]
    public void CheckLossNamesABatchThatDoesNotFitThePrediction()
    {
        double[] p = [0.5, -1, 2, 0.25, 1, -0.5], t = new double[6];
        Assert.True(GradientCheck.CheckLoss(new SumOfSquares(), p, t, 3).Passed);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.CheckLoss(new SumOfSquares(), p, t, 0)).ParamName);
        Assert.Equal("prediction", Assert.Throws<ArgumentException>(() => GradientCheck.CheckLoss(new SumOfSquares(), p, t, 4)).ParamName);
    }

    [Fact]
    public void ArgumentsAreCheckedAndNamedBeforeAnythingRuns()
    {
        double[] x = [0.5, -1, 2, 0.25], t = [0, 1, 0, 1];
        var loss = new MseLoss<double>();
        // The batch was reported as 'maxBatch' (the model built around the layer), or overflowed an array length.
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(new Dense<double>(2, 2), x, 0, loss, t)).ParamName);
        var model = new Sequential<double>([new Dense<double>(2, 2)], maxBatch: 2);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(model, x, int.MaxValue, loss, t)).ParamName);
        Assert.Equal("layer", Assert.Throws<ArgumentNullException>(() => GradientCheck.Check((ILayer<double>)null!, x, 2, loss, t)).ParamName);
        // Settings under which no comparison means anything were run, and reported a 'worst' element of NaNs or none.
        GradientCheckOptions[] meaningless =
        [
            new() { Epsilon = 0 }, new() { Epsilon = double.NaN }, new() { Epsilon = double.PositiveInfinity },
            new() { AbsoluteTolerance = double.NaN }, new() { AbsoluteTolerance = -1 },
            new() { RelativeTolerance = double.NaN }, new() { RelativeTolerance = -1e-3 },
        ];
        foreach (GradientCheckOptions options in meaningless)
        {
            Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(model, x, 2, loss, t, options)).ParamName);
            Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.CheckLoss(loss, x, t, 2, options)).ParamName);
        }
    }

    /// <summary>
    /// ILoss overwrites its gradient, and a trainer hands it the same buffer at every step. CheckLoss started the
    /// gradient at 0, so a loss that added to it (or wrote only some elements) passed while training on stale values.
    /// </summary>
    [Fact]
    public void CheckLossFailsALossThatAddsToItsGradientOrLeavesPartUnwritten()
    {
        double[] p = [0.5, -1, 2, 0.25, 1, -0.5], t = new double[6];
        Assert.True(GradientCheck.CheckLoss(new SumOfSquares(), p, t, 3).Passed);
        foreach (var broken in new ILoss<double>[] { new SumOfSquares(accumulates: true), new SumOfSquares(skipLast: true) })
        {
            GradientCheckResult result = GradientCheck.CheckLoss(broken, p, t, 3);
            Assert.False(result.Passed, result.ToString());
            Assert.True(double.IsNaN(result.Analytic));
        }
    }
}
