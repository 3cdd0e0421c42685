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

    private sealed record OptimizerPair(Func<double, Optimizer<double>> Create);

    [Fact]
    public void PenaltiesValidateAndDoNotAllocate()
    {
        Assert.Equal(-0.1, Assert.Throws<ArgumentOutOfRangeException>("lambda", () => new L2Penalty<float>(-0.1)).ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>("lambda", () => new L1Penalty<float>(double.NaN));
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
