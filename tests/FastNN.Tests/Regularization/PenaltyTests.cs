using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Tests.Optimizers;

namespace FastNN.Tests.Regularization;

/// <summary>L1 and L2 penalties: values by their definitions, gradients by central differences, weights only by default.</summary>
public class PenaltyTests
{
    private static readonly ParameterTensor[] Tensors =
    [
        new("0.weight", 0, 6, [3, 2], ParameterKind.Weight, 0),
        new("0.bias", 6, 3, [3], ParameterKind.Bias, 0),
        new("1.weight", 9, 3, [3], ParameterKind.NormScale, 1),
        new("2.weight", 12, 4, [1, 4], ParameterKind.Weight, 2),
    ];

    private static double[] Parameters() => TestData.Uniform(new Random(5), 16);

    private static bool IsWeight(int i) => i < 6 || i >= 12;

    [Fact]
    public void L2AddsHalfLambdaSumOfSquaresAndLambdaW()
    {
        double[] w = Parameters(), g = Enumerable.Repeat(0.25, 16).ToArray();
        double penalty = new L2Penalty<double>(0.3).AddTo(w, g, Tensors);
        double expected = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) expected += w[i] * w[i];
        Assert.Equal(0.3 / 2 * expected, penalty, 14);
        for (int i = 0; i < 16; i++) Assert.Equal(IsWeight(i) ? 0.25 + 0.3 * w[i] : 0.25, g[i], 15);
    }

    [Fact]
    public void L1AddsLambdaSumOfMagnitudesAndLambdaSign()
    {
        double[] w = Parameters(), g = new double[16];
        w[1] = 0; // the subgradient at 0 is 0
        double penalty = new L1Penalty<double>(0.2).AddTo(w, g, Tensors);
        double expected = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) expected += Math.Abs(w[i]);
        Assert.Equal(0.2 * expected, penalty, 14);
        for (int i = 0; i < 16; i++) Assert.Equal(IsWeight(i) ? 0.2 * Math.Sign(w[i]) : 0, g[i]);
    }

    [Fact]
    public void GradientsMatchCentralDifferencesOfThePenalty()
    {
        IRegularizer<double>[] regularizers = [new L2Penalty<double>(0.7, [ParameterKind.Weight, ParameterKind.Bias]), new L1Penalty<double>(0.4)];
        foreach (IRegularizer<double> r in regularizers)
        {
            double[] w = Parameters(), g = new double[16];
            r.AddTo(w, g, Tensors);
            for (int i = 0; i < 16; i++)
            {
                const double h = 1e-6;
                double[] plus = (double[])w.Clone(), minus = (double[])w.Clone();
                plus[i] += h; minus[i] -= h;
                double numeric = (r.AddTo(plus, new double[16], Tensors) - r.AddTo(minus, new double[16], Tensors)) / (2 * h);
                Assert.True(Math.Abs(numeric - g[i]) <= 1e-7, $"{r.GetType().Name} element {i}: analytic {g[i]}, numeric {numeric}");
            }
        }
    }

    /// <summary>
    /// The L2 penalty's gradient is what coupled weight decay adds (torch.optim's weight_decay), so on the same tensors
    /// (the weights: DecayWeightsOnly) the two take the same steps with every coupled optimizer, momentum and
    /// normalization included: five steps agree to rounding (the sums g + λ·w are formed in another order).
    /// </summary>
    [Fact]
    public void AnL2PenaltyStepsAsCoupledWeightDecayOnTheSameTensors()
    {
        const double Lambda = 0.3;
        IReadOnlyList<OptimizerPair> pairs =
        [
            new(wd => new Sgd<double>(16, 0.1, momentum: 0.9, nesterov: true, weightDecay: wd, groups: ParameterGroup.DecayWeightsOnly(Tensors))),
            new(wd => new RmsProp<double>(16, 0.01, momentum: 0.5, centered: true, weightDecay: wd, groups: ParameterGroup.DecayWeightsOnly(Tensors))),
            new(wd => new Adam<double>(16, 0.01, weightDecay: wd, amsGrad: true, groups: ParameterGroup.DecayWeightsOnly(Tensors))),
        ];
        foreach (OptimizerPair pair in pairs)
        {
            Optimizer<double> decayed = pair.Create(Lambda), penalized = pair.Create(0);
            double[] a = Parameters(), b = Parameters();
            var random = new Random(9);
            for (int step = 0; step < 5; step++)
            {
                double[] g = TestData.Uniform(random, 16), gPenalized = (double[])g.Clone();
                new L2Penalty<double>(Lambda).AddTo(b, gPenalized, Tensors);
                decayed.Step(a, g);
                penalized.Step(b, gPenalized);
            }
            for (int i = 0; i < 16; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-14, $"{decayed.GetType().Name} element {i}: decay {a[i]}, penalty {b[i]}");
            Assert.NotEqual(Parameters()[0], a[0]);
        }
    }

    /// <summary>
    /// The penalty is finite wherever its value is, even when Σw² (or Σ|w|) overflows T: float weights near 2e19 square
    /// past float's 3.4e38, double weights near 1e154 past double's 1.8e308 (summed over tensors), yet λ/2·Σw² with a small
    /// λ fits. Reference: the definition in double, the double case scaled by a power of ten by hand. A value past T's
    /// range is +∞ as before.
    /// </summary>
    [Fact]
    public void PenaltiesStayFiniteWhereSquaresOrSumsOverflowT()
    {
        float[] wf = new float[16];
        for (int i = 0; i < 16; i++) wf[i] = (i % 3 - 1) * (2e19f + i * 1e18f) + (i == 4 ? 1e-3f : 0);
        double l2Float = 0, l1Float = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) { l2Float += (double)wf[i] * wf[i]; l1Float += Math.Abs((double)wf[i]); }
        AssertRelative(1e-3 / 2 * l2Float, new L2Penalty<float>(1e-3).AddTo(wf, new float[16], Tensors), 1e-6);
        Assert.Equal(float.PositiveInfinity, new L2Penalty<float>(1).AddTo(wf, new float[16], Tensors));   // 1.4e39: past float

        float[] big = new float[16];
        for (int i = 0; i < 16; i++) big[i] = (i % 2 == 0 ? 1 : -1) * (3e38f - i * 1e37f);
        double l1Big = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) l1Big += Math.Abs((double)big[i]);
        AssertRelative(0.01 * l1Big, new L1Penalty<float>(0.01).AddTo(big, new float[16], Tensors), 1e-6);

        // Double: squares of 9e153 are 8.1e307, six of them (one tensor) and ten (both) are past 1.8e308; λ = 1e-20.
        const double Scale = 1e154;
        double[] wd = new double[16];
        for (int i = 0; i < 16; i++) wd[i] = (i % 2 == 0 ? 1 : -1) * (0.9 - i * 0.01) * Scale;
        wd[7] = 3.0;   // a bias: not penalized
        double sumScaled = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) sumScaled += wd[i] / Scale * (wd[i] / Scale);
        double expected = 1e-20 / 2 * sumScaled * Scale * Scale;
        AssertRelative(expected, new L2Penalty<double>(1e-20).AddTo(wd, new double[16], Tensors), 1e-14);
        Assert.Equal(double.PositiveInfinity, new L2Penalty<double>(1).AddTo(wd, new double[16], Tensors));

        double[] huge = new double[16];
        for (int i = 0; i < 16; i++) huge[i] = (i % 2 == 0 ? -1 : 1) * (1.7 - i * 0.01) * 1e308;
        double sumHuge = 0;
        for (int i = 0; i < 16; i++) if (IsWeight(i)) sumHuge += Math.Abs(huge[i] / 1e300);
        AssertRelative(1e-3 * sumHuge * 1e300, new L1Penalty<double>(1e-3).AddTo(huge, new double[16], Tensors), 1e-14);

        // Special values stay as the plain formula's: +∞ for an infinite weight, NaN for a NaN one, 0 with λ = 0.
        wd[0] = double.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, new L2Penalty<double>(1e-20).AddTo(wd, new double[16], Tensors));
        Assert.Equal(0, new L2Penalty<double>(0).AddTo(huge, new double[16], Tensors));
        wd[0] = double.NaN;
        Assert.True(double.IsNaN(new L1Penalty<double>(1e-20).AddTo(wd, new double[16], Tensors)));
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(double.IsFinite(actual) && Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    private sealed record OptimizerPair(Func<double, Optimizer<double>> Create);

    [Fact]
    public void ALambdaTCannotHoldIsRefusedAsTheOptimizersRefuseTheirs()
    {
        // 1e39 is +∞ in float: every penalized gradient would become ±∞ (NaN where w = 0) and the penalty +∞ on the
        // first step, where an optimizer refuses the same value as its weight decay when it is built.
        foreach (Func<object> create in new Func<object>[] { () => new L2Penalty<float>(1e39), () => new L1Penalty<float>(1e39) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>("lambda", create);
            Assert.Equal(1e39, e.ActualValue);
            Assert.Contains("lambda = 1E+39 is not finite in float", e.Message);
        }
        Assert.Equal(1e39, new L2Penalty<double>(1e39).Lambda);
        Assert.Equal(1e-50, new L1Penalty<float>(1e-50).Lambda);   // 0 in float: no penalty, as an optimizer's γ that rounds to 0
    }

    [Fact]
    public void PenaltiesValidateAndDoNotAllocate()
    {
        Assert.Equal(-0.1, Assert.Throws<ArgumentOutOfRangeException>("lambda", () => new L2Penalty<float>(-0.1)).ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>("lambda", () => new L1Penalty<float>(double.NaN));
        // A cast integer names no kind: the penalty would apply to no tensor, and a checkpoint record the number.
        Assert.Throws<ArgumentOutOfRangeException>("kinds", () => new L2Penalty<float>(0.1, [ParameterKind.Weight, (ParameterKind)9]));
        var l2 = new L2Penalty<float>(0.1);
        Assert.Throws<ArgumentException>("gradients", () => l2.AddTo(new float[16], new float[15], Tensors));
        Assert.Throws<ArgumentException>("tensors", () => l2.AddTo(new float[15], new float[15], Tensors));

        float[] w = new float[16], g = new float[16];
        IReadOnlyList<ParameterTensor> list = Tensors;
        var l1 = new L1Penalty<float>(0.1);
        l1.AddTo(w, g, list); l2.AddTo(w, g, list);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int i = 0; i < 100; i++) { l1.AddTo(w, g, list); l2.AddTo(w, g, list); }
        }));
    }
}
