using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FastNN.Tests.Layers;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Backward passes of random architectures (RandomArchitectures at widths up to 8: every layer kind, blocks nested in
/// blocks, random parameters and running statistics) against central finite differences, in training and evaluation
/// mode, at the checker's strict tolerances: every input and parameter gradient, whatever the nesting.
/// </summary>
/// <remarks>
/// The MSE target is the model's own output at the checked point plus a uniform offset in (−1, 1), so the loss is at
/// most 1 whatever the architecture: the central difference's rounding error, about ε·|L|/h, then stays under 1e-9.
/// A target drawn independently of the output left the loss free to reach 10³ (a LogSoftmax after a residual sum
/// gives log-probabilities near −50), where that error alone is 10⁻⁷ a unit in the last place of L, and over the
/// strict atol of 1e-7; the analytic gradient is a vector–Jacobian product with a random vector either way.
/// In training mode the input is redrawn until no BatchNorm feature has nearly coinciding rows (see MinBatchSigma), as
/// NormalizationTests spaces its inputs: there the difference's truncation error, not the backward pass, is wrong.
/// Likewise it is redrawn while a LayerNorm row has nearly coinciding features (LayerNorm normalizes a row as BatchNorm a
/// feature; past 20 redraws a row stays close only where the check's steps move its features in proportion, measured), and while a step of the check moves the input of a ReLU, LeakyReLU, PReLU or ELU across 0,
/// or a Softplus input across the point where it turns into the identity (see AwayFromKinks): there the function has a
/// kink (or a jump) between the two points the central difference takes, and the difference, not the gradient, is wrong.
/// </remarks>
public class RandomArchitectureGradientTests
{
    [Property(MaxTest = 40, EndSize = 1 << 30)]
    public void EveryGradientMatchesFiniteDifferences(int seed) => Check(seed);

    /// <summary>
    /// The CI draw whose target far from the output made L = 1253.9 and the differences' rounding 6.5e-7: its first input
    /// exactly (which the BatchNorm rule below would redraw; its gradient check passes there at 0.02–0.04 of tolerance).
    /// </summary>
    [Fact]
    public void EveryGradientMatchesFiniteDifferencesAtALargeLossDraw() => Check(50255131, awayFromBends: false);

    /// <summary>
    /// Draws (found with MaxTest = 20000) whose first input put two rows of a training-mode BatchNorm feature within 1.3e-3
    /// of each other at batch 2, where the central difference erred by h²|f‴|/6 ≈ 1.1e-6 (1e-8 at h = 1e-7).
    /// </summary>
    [Theory]
    [InlineData(130101763)]
    [InlineData(675922586)]
    public void EveryGradientMatchesFiniteDifferencesAtNearlyCoincidingBatchNormRows(int seed) => Check(seed);

    /// <summary>
    /// Draws whose first input put a kinked layer's input within a step of the check of its kink, so that the central
    /// difference straddled it: 56499955 (stop 22's, a LeakyReLU: 1.bias[3] read 6.6e-5 against the gradient's 2.2e-3),
    /// and the four others of 1,100,000 draws with the kink rule removed (errors 1.3e-3 to 7.3e-3, 10⁴ times the
    /// tolerance). Each fails without the rule.
    /// </summary>
    [Theory]
    [InlineData(56499955)]
    [InlineData(1615863482)]
    [InlineData(1635051548)]
    [InlineData(1747485730)]
    [InlineData(459317188)]
    public void EveryGradientMatchesFiniteDifferencesAtKinkDraws(int seed) => Check(seed);

    /// <summary>
    /// The other seven failures of those 1,100,000 draws (errors 5e-7 to 1.1e-5, a few times the tolerance), all with a
    /// LayerNorm whose input row had nearly coinciding features, most of them LayerNorms of 2 features. Each fails without
    /// the LayerNorm rule.
    /// </summary>
    [Theory]
    [InlineData(282850382)]
    [InlineData(203558064)]
    [InlineData(1037311655)]
    [InlineData(591581755)]
    [InlineData(1858897543)]
    [InlineData(1328222485)]
    [InlineData(6980492)]
    public void EveryGradientMatchesFiniteDifferencesAtNearlyCoincidingLayerNormFeatures(int seed) => Check(seed);

    /// <summary>
    /// A draw of about 1,000,000 that a PReLU slope of −0.0011 (one parameter for all features) before a dropout of p = 0.9
    /// and a LayerNorm of 7 features keeps at rows of features a·u, whatever the input: σ 8.7e-3 (two features 0.0192 and
    /// 0.0194, the rest dropped) and 2.3e-3, which a step in the slope moves at u ≈ −17.8 (dropout's 1/(1 − p) = 10
    /// included). Past 20 input redraws the LayerNorm rule took it as it was, and the slope's central difference erred by
    /// h²L‴/6 = 2.7e-6 (L‴ = 1.62e7: 6.7e-7 at h = 5e-7, 2.7e-8 at 1e-7; Richardson's extrapolation within 6e-11 of the
    /// analytic −1.1170148662). Fails without the measured rate in LayerNormsSpread.
    /// </summary>
    [Fact]
    public void EveryGradientMatchesFiniteDifferencesAtLayerNormRowsSqueezedByAParameter() => Check(1736532020);

    private static void Check(int seed, bool awayFromBends = true)
    {
        var (model, x, batch, target) = Draw(seed, awayFromBends);
        GradientCheckResult result = GradientCheck.Check(model, x, batch, new MseLoss<double>(), target, Checks.Strict);
        Assert.True(result.Passed, $"seed {seed}, {(model.Training ? "training" : "evaluation")}: {result}\n{model.ToJson()}");
    }

    private static (Sequential<double> Model, double[] X, int Batch, double[] Target) Draw(int seed, bool awayFromBends = true)
    {
        var random = new Random(seed);
        int batch = 2 + random.Next(5);
        var model = new Sequential<double>(RandomArchitectures.Layers<double>(random, 1 + random.Next(8), maxWidth: 8), batch, (ulong)seed);
        TestData.Randomize(model, random);
        model.Training = random.Next(2) == 0;
        double[] x = TestData.Uniform(random, batch * model.InputSize, 2);
        // Away from nearly coinciding BatchNorm rows (see MinBatchSigma); an architecture that keeps a feature's rows close
        // whatever the input (a narrow softmax before it, say) is checked in evaluation mode, where BatchNorm is affine.
        // And away from nearly coinciding LayerNorm features and from kinks (see LayerNormsSpread, AwayFromKinks); an
        // architecture that a parameter puts at a kink whatever the input (a LayerNorm of one feature gives its shift β)
        // gets new parameters every tenth redraw.
        int batchNormRedraws = 0, layerNormRedraws = 0, kinkRedraws = 0;
        while (awayFromBends)
        {
            if (model.Training && !BatchNormsSpread(model, x, batch))
            {
                if (batchNormRedraws++ == 20)
                {
                    model.Training = false;
                    continue;
                }
            }
            else if (!LayerNormsSpread(model, x, batch, inProportion: layerNormRedraws >= 20))
            {
                // Past 20, an architecture that keeps a row's features close whatever the input (a softmax before the
                // LayerNorm) is checked as it is where the check's steps move the features in proportion to their spread
                // (measured). Parameters that squeeze them (a PReLU slope near 0 before a dropout and a LayerNorm: features
                // a·u with σ ∝ |a|, which a step in a moves at u) get new parameters every tenth redraw.
                if (++layerNormRedraws % 10 == 0 && layerNormRedraws > 20)
                {
                    if (layerNormRedraws == 1000)
                        throw new InvalidOperationException($"seed {seed}: no draw in 1,000 spreads every LayerNorm row in proportion to the check's steps.\n{model.ToJson()}");
                    TestData.Randomize(model, random);
                }
            }
            else if (AwayFromKinks(model, x, batch))
            {
                break;
            }
            else if (++kinkRedraws % 10 == 0)
            {
                // Not reached in 1,000,000 draws; a failure here beats a test run that never ends.
                if (kinkRedraws == 1000)
                    throw new InvalidOperationException($"seed {seed}: no input in 1,000 draws is a step of the check away from every kink.\n{model.ToJson()}");
                TestData.Randomize(model, random);
            }
            x = TestData.Uniform(random, batch * model.InputSize, 2);
        }
        double[] target = TestData.Uniform(random, batch * model.OutputSize);
        double[] output = OutputLeavingModelAsFound(model, x, batch);
        for (int i = 0; i < target.Length; i++)
            target[i] += output[i];
        return (model, x, batch, target);
    }

    /// <summary>
    /// Smallest batch standard deviation of a training-mode BatchNorm feature at which the central difference is trusted.
    /// Where a feature's rows nearly coincide, x̂ = (x − μ)/√(σ² + eps) bends on the scale ℓ = √(σ² + eps): for two rows
    /// |∂³x̂/∂x³| reaches 3/(8ℓ³), so the difference's own error h²|f‴|/6 is about 1e-12/6 · 3/(8ℓ³) · |γ| (≤ 1.5) · |∂z/∂θ|³
    /// (≤ 2³, inputs and weights within 2) · |∂L/∂y| (≤ 1) = 7.5e-13/ℓ³, a tenth of Strict's atol 1e-7 at ℓ ≈ 0.042; hence
    /// 0.05. A σ of exactly 0 is a feature flat in every row (ReLU's zeros, dropout), which a step of h does not move.
    /// The same holds for the features of a LayerNorm row (see LayerNormsSpread), of 2 features as of 2 rows.
    /// </summary>
    private const double MinBatchSigma = 0.05;

    /// <summary>
    /// Whether every training-mode BatchNorm feature has a batch σ of 0 or at least <see cref="MinBatchSigma"/> at <paramref name="x"/>,
    /// read from the running-variance update (v_new = (1 − m)·v_old + m·s², s² unbiased) of two forward passes from old
    /// variances 0 and 1; the model is left as found.
    /// </summary>
    private static bool BatchNormsSpread(Sequential<double> model, double[] x, int batch)
    {
        var random = model.Random.State;
        double[] state = model.State.ToArray();
        double[] FromOldVariance(double old)
        {
            state.CopyTo(model.State);
            foreach (var s in model.StateTensors.Where(s => s.Name.EndsWith("running_var", StringComparison.Ordinal)))
                model.State.Slice(s.Offset, s.Length).Fill(old);
            model.Random.Restore(random);
            model.Forward(x, batch);
            return model.State.ToArray();
        }
        double[] from0 = FromOldVariance(0), from1 = FromOldVariance(1);
        model.Random.Restore(random);
        state.CopyTo(model.State);
        foreach (var s in model.StateTensors.Where(s => s.Name.EndsWith("running_var", StringComparison.Ordinal)))
            for (int i = s.Offset; i < s.Offset + s.Length; i++)
            {
                double momentum = 1 - (from1[i] - from0[i]);
                double biasedVariance = from0[i] / momentum * (batch - 1) / batch;
                if (biasedVariance != 0 && biasedVariance < MinBatchSigma * MinBatchSigma)
                    return false;
            }
        return true;
    }

    /// <summary>
    /// The check's step h times this is the step by which <see cref="AwayFromKinks"/> moves each element: the check's own
    /// ±h moves a kinked layer's input z by h·|∂z/∂θ| to first order, and a tenfold margin covers the second order (the
    /// curvature of the layers before it) and points that the check's steps would leave a hair's breadth from the kink.
    /// </summary>
    private const double KinkStepMultiple = 10;

    /// <summary>
    /// Whether no step of ±<see cref="KinkStepMultiple"/>·h in any one element of <paramref name="x"/> or of the parameters
    /// (the central difference's steps, widened) moves a kinked layer's input across its kink: 0 for ReLU, LeakyReLU, PReLU
    /// and ELU (whose slope jumps from 1 to α there), threshold/β for Softplus (where log(1 + e^(βz))/β gives way to z, a jump
    /// of about e^(−threshold)/β). Read by running the forward pass of a copy of the model whose kinked layers record their
    /// inputs, at x and at each step, as the check's evaluations run it (same mode, dropout mask and state). The sign of
    /// z − kink at each step against at x says whether the step crosses: an absolute margin around the kink would redraw
    /// every softmax output of 1e-5 before a ReLU, which a step moves by about 1e-11. The model is left as found.
    /// </summary>
    private static bool AwayFromKinks(Sequential<double> model, double[] x, int batch)
    {
        var inputs = new List<double>();
        Action<double[], double[]> run = Probe(model, batch, layer => KinkOf(layer) is { } kink ? z => inputs.AddRange(z.Select(v => v - kink)) : null);
        double[] point = (double[])x.Clone(), parameters = model.Parameters.ToArray();
        int[] Sides()
        {
            inputs.Clear();
            run(point, parameters);
            return [.. inputs.Select(Math.Sign)];
        }
        int[] atX = Sides();
        if (atX.Length == 0)
            return true;
        double step = KinkStepMultiple * Checks.Strict.Epsilon;
        foreach (double[] values in new[] { point, parameters })
            for (int i = 0; i < values.Length; i++)
            {
                double original = values[i];
                foreach (double moved in new[] { original + step, original - step })
                {
                    values[i] = moved;
                    if (!Sides().AsSpan().SequenceEqual(atX))
                        return false;
                }
                values[i] = original;
            }
        return true;
    }

    /// <summary>Where a layer's slope jumps: 0 for ReLU, LeakyReLU, PReLU and ELU, threshold/β for Softplus; null for a smooth layer.</summary>
    private static double? KinkOf(ILayer<double> layer) => layer switch
    {
        Relu<double> or LeakyRelu<double> or PRelu<double> or Elu<double> => 0,
        Softplus<double> softplus => softplus.Threshold / softplus.Beta,
        _ => null,
    };

    /// <summary>
    /// Whether every LayerNorm row has a σ of 0 or at least <see cref="MinBatchSigma"/> at <paramref name="x"/>: a LayerNorm
    /// normalizes each row over its features as BatchNorm normalizes each feature over the batch's rows, and bends on the
    /// same scale ℓ = √(σ² + eps), in evaluation mode too. <paramref name="inProportion"/> replaces MinBatchSigma's assumed
    /// rate |∂z/∂θ| ≤ 2 by the measured one: a row's ℓ must then be at least MinBatchSigma · r / 2, where r is the fastest
    /// rate at which one step of ±h in one element of x or of the parameters moves one of the row's features away from the
    /// row's mean (the difference's error grows as (r/ℓ)³); a row of features far below √eps is then accepted, as LayerNorm
    /// is affine there, and so is a row its steps shift as a whole. Read from forward passes of a copy of the model whose
    /// LayerNorms record their inputs.
    /// </summary>
    private static bool LayerNormsSpread(Sequential<double> model, double[] x, int batch, bool inProportion = false)
    {
        var inputs = new List<double>();
        var rows = new List<(int Start, int Length, double Eps)>();
        Action<double[], double[]> run = Probe(model, batch, layer => layer is LayerNorm<double> norm ? z =>
        {
            for (int row = 0; row < z.Length; row += norm.Features)
                rows.Add((inputs.Count + row, norm.Features, norm.Eps));
            inputs.AddRange(z);
        } : null);
        double[] point = (double[])x.Clone(), parameters = model.Parameters.ToArray();
        double[] Inputs()
        {
            inputs.Clear();
            rows.Clear();
            run(point, parameters);
            return [.. inputs];
        }
        double[] atX = Inputs();
        var rowsAtX = rows.ToArray();
        // LayerNorm sees a row through its features' deviations from the row's mean: a step moving them all alike is not felt.
        double[] Deviations(double[] all)
        {
            foreach (var (start, length, _) in rowsAtX)
            {
                double mean = all[start..(start + length)].Average();
                for (int k = start; k < start + length; k++)
                    all[k] -= mean;
            }
            return all;
        }
        double[] rates = new double[atX.Length];
        double h = Checks.Strict.Epsilon;
        if (inProportion)
            foreach (double[] values in new[] { point, parameters })
                for (int i = 0; i < values.Length; i++)
                {
                    double original = values[i];
                    values[i] = original + h;
                    double[] plus = Deviations(Inputs());
                    values[i] = original - h;
                    double[] minus = Deviations(Inputs());
                    values[i] = original;
                    for (int k = 0; k < rates.Length; k++)
                        rates[k] = Math.Max(rates[k], Math.Abs(plus[k] - minus[k]) / (2 * h));
                }
        foreach (var (start, length, eps) in rowsAtX)
        {
            double[] values = atX[start..(start + length)];
            double mean = values.Average(), variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
            bool spread = inProportion
                ? Math.Sqrt(variance + eps) >= MinBatchSigma * rates[start..(start + length)].Max() / 2
                : variance == 0 || variance >= MinBatchSigma * MinBatchSigma;
            if (!spread)
                return false;
        }
        return true;
    }

    /// <summary>
    /// A function running the forward pass of a copy of <paramref name="model"/> at a given input and parameters, as the
    /// check's evaluations run it (same mode, dropout mask and state), in which every layer, inside blocks too, that
    /// <paramref name="recorder"/> gives a recording for first hands its input to it. The model is not changed.
    /// </summary>
    private static Action<double[], double[]> Probe(Sequential<double> model, int batch, Func<ILayer<double>, Action<double[]>?> recorder)
    {
        var probe = new Sequential<double>(Probed(model.Layers, recorder), batch, model.Seed) { Training = model.Training };
        if (probe.Parameters.Length != model.Parameters.Length || probe.State.Length != model.State.Length)
            throw new InvalidOperationException("The probe's tensors are not laid out as the model's.");
        var random = model.Random.State;
        double[] state = model.State.ToArray();
        return (x, parameters) =>
        {
            parameters.CopyTo(probe.Parameters);
            state.CopyTo(probe.State);
            probe.Random.Restore(random);
            probe.Forward(x, batch);
        };
    }

    private static List<ILayer<double>> Probed(IEnumerable<ILayer<double>> layers, Func<ILayer<double>, Action<double[]>?> recorder) => [.. layers.Select(layer => layer switch
    {
        Residual<double> residual => new Residual<double>(Probed(residual.Body, recorder)),
        Concat<double> concat => new Concat<double>(Probed(concat.Body, recorder)),
        _ => recorder(layer) is { } record ? new Recording(layer, record) : layer,
    })];

    /// <summary>A layer as it is, that first hands a copy of its input to <paramref name="record"/>.</summary>
    private sealed class Recording(ILayer<double> layer, Action<double[]> record) : ILayer<double>
    {
        public int InputSize => layer.InputSize;
        public int OutputSize => layer.OutputSize;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => layer.ParameterDeclarations;
        public IReadOnlyList<StateDeclaration> StateDeclarations => layer.StateDeclarations;
        public int ScratchLength(int batch) => layer.ScratchLength(batch);
        public void Initialize(LayerBuffers<double> buffers) => layer.Initialize(buffers);

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            record(x.ToArray());
            layer.Forward(y, x, buffers, batch);
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch) =>
            layer.Backward(dx, dy, x, y, buffers, batch);
    }

    /// <summary>The output at <paramref name="x"/> as the check's evaluations see it: same dropout mask, running statistics not moved.</summary>
    private static double[] OutputLeavingModelAsFound(Sequential<double> model, double[] x, int batch)
    {
        var random = model.Random.State;
        double[] state = model.State.ToArray();
        double[] output = model.Forward(x, batch).ToArray();
        model.Random.Restore(random);
        state.CopyTo(model.State);
        return output;
    }
}
