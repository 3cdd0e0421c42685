using FastNN.Optimizers;
using static FastNN.Tests.Optimizers.ReferenceOptimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>Each optimizer and option against the double-precision transcription of PyTorch's algorithm, 20 steps.</summary>
public class OptimizerReferenceTests
{
    private const int N = 97, Steps = 20;
    private const double Rtol = 1e-12, Atol = 1e-15;

    private static (double[] Initial, double[][] Grads) Data(int seed)
        => (TestData.Uniform(new Random(seed), N), TestData.Gradients(seed + 1, Steps, N));

    private static double[] Run(Optimizer<double> optimizer, double[] initial, double[][] grads)
    {
        double[] p = (double[])initial.Clone();
        foreach (double[] g in grads) optimizer.Step(p, g);
        return p;
    }

    [Theory]
    [InlineData(0.0, 0.0, false, 0.0)]
    [InlineData(0.9, 0.0, false, 0.0)]
    [InlineData(0.9, 0.3, false, 0.0)]
    [InlineData(0.9, 0.0, true, 0.0)]
    [InlineData(0.0, 0.0, false, 0.05)]
    [InlineData(0.8, 0.1, false, 0.05)]
    [InlineData(0.8, 0.0, true, 0.05)]
    public void SgdMatchesReference(double momentum, double dampening, bool nesterov, double weightDecay)
    {
        (double[] initial, double[][] grads) = Data(1);
        double[] actual = Run(new Sgd<double>(N, 0.1, momentum, dampening, nesterov, weightDecay), initial, grads);
        double[] expected = (double[])initial.Clone();
        Sgd(expected, grads, new Options(0.1, momentum, dampening, nesterov, weightDecay));
        TestData.AssertClose(expected, actual, Rtol, Atol, "SGD");
    }

    [Theory]
    [InlineData(0.0, 0.0, false, 0.05)]
    [InlineData(0.9, 0.0, false, 0.05)]
    [InlineData(0.9, 0.2, false, 0.1)]
    [InlineData(0.9, 0.0, true, 0.1)]
    public void SgdwMatchesReference(double momentum, double dampening, bool nesterov, double weightDecay)
    {
        (double[] initial, double[][] grads) = Data(2);
        double[] actual = Run(new Sgdw<double>(N, 0.1, momentum, dampening, nesterov, weightDecay), initial, grads);
        double[] expected = (double[])initial.Clone();
        Sgd(expected, grads, new Options(0.1, momentum, dampening, nesterov, weightDecay, Decoupled: true));
        TestData.AssertClose(expected, actual, Rtol, Atol, "SGDW");
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.03, 0.0, false)]
    [InlineData(0.0, 0.9, false)]
    [InlineData(0.0, 0.0, true)]
    [InlineData(0.03, 0.7, true)]
    public void RmsPropMatchesReference(double weightDecay, double momentum, bool centered)
    {
        (double[] initial, double[][] grads) = Data(3);
        double[] actual = Run(new RmsProp<double>(N, 0.01, 0.9, 1e-6, weightDecay, momentum, centered), initial, grads);
        double[] expected = (double[])initial.Clone();
        RmsProp(expected, grads, new Options(0.01, momentum, WeightDecay: weightDecay, Alpha: 0.9, Eps: 1e-6, Centered: centered));
        TestData.AssertClose(expected, actual, Rtol, Atol, "RMSprop");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.05, false)]
    [InlineData(0.0, true)]
    [InlineData(0.05, true)]
    public void AdamMatchesReference(double weightDecay, bool amsGrad)
    {
        (double[] initial, double[][] grads) = Data(4);
        double[] actual = Run(new Adam<double>(N, 0.01, 0.8, 0.95, 1e-8, weightDecay, amsGrad), initial, grads);
        double[] expected = (double[])initial.Clone();
        Adam(expected, grads, new Options(0.01, WeightDecay: weightDecay, Beta1: 0.8, Beta2: 0.95, AmsGrad: amsGrad));
        TestData.AssertClose(expected, actual, Rtol, Atol, "Adam");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.1, false)]
    [InlineData(0.1, true)]
    public void AdamWMatchesReference(double weightDecay, bool amsGrad)
    {
        (double[] initial, double[][] grads) = Data(5);
        double[] actual = Run(new AdamW<double>(N, 0.01, 0.8, 0.95, 1e-8, weightDecay, amsGrad), initial, grads);
        double[] expected = (double[])initial.Clone();
        Adam(expected, grads, new Options(0.01, WeightDecay: weightDecay, Decoupled: true, Beta1: 0.8, Beta2: 0.95, AmsGrad: amsGrad));
        TestData.AssertClose(expected, actual, Rtol, Atol, "AdamW");
    }

    [Fact]
    public void AdamMomentsMatchReference()
    {
        (double[] initial, double[][] grads) = Data(6);
        var adam = new AdamW<double>(N, 0.01, weightDecay: 0.1);
        Run(adam, initial, grads);
        double[] p = (double[])initial.Clone(), m = new double[N], v = new double[N];
        Adam(p, grads, new Options(0.01, WeightDecay: 0.1, Decoupled: true), m, v);
        OptimizerState<double> state = adam.SaveState();
        TestData.AssertClose(m, state.Buffers["exp_avg"], Rtol, Atol, "exp_avg");
        TestData.AssertClose(v, state.Buffers["exp_avg_sq"], Rtol, Atol, "exp_avg_sq");
        Assert.Equal(Steps, state.StepCount);
    }

    [Fact]
    public void GroupsUseTheirOwnRatesAndFollowTheBaseRateInProportion()
    {
        (double[] initial, double[][] grads) = Data(7);
        ParameterGroup[] groups = [new(0, 40, LearningRate: 0.2, WeightDecay: 0.0), new(40, 50), new(90, 7, WeightDecay: 0.3)];
        var sgd = new Sgd<double>(N, 0.1, momentum: 0.5, weightDecay: 0.05, groups: groups);
        double[] actual = (double[])initial.Clone();
        double[] baseRates = new double[Steps];
        for (int t = 0; t < Steps; t++)
        {
            sgd.LearningRate = baseRates[t] = 0.1 / (1 + 0.1 * t);
            sgd.Step(actual, grads[t]);
        }

        double[] ProjectedRun(int offset, int length, double[] lrs, double weightDecay)
        {
            double[] part = initial[offset..(offset + length)];
            Sgd(part, [.. grads.Select(g => g[offset..(offset + length)])], new Options(0, 0.5, WeightDecay: weightDecay), lrs);
            return part;
        }
        TestData.AssertClose(ProjectedRun(0, 40, [.. baseRates.Select(r => r * 2)], 0.0), actual.AsSpan(0, 40), Rtol, Atol, "group 0");
        TestData.AssertClose(ProjectedRun(40, 50, baseRates, 0.05), actual.AsSpan(40, 50), Rtol, Atol, "group 1");
        TestData.AssertClose(ProjectedRun(90, 7, baseRates, 0.3), actual.AsSpan(90, 7), Rtol, Atol, "group 2");
    }

    [Fact]
    public void ElementsOutsideEveryGroupAreNotTouched()
    {
        (double[] initial, double[][] grads) = Data(8);
        var adam = new Adam<double>(N, groups: [new ParameterGroup(10, 20)]);
        double[] p = Run(adam, initial, grads);
        Assert.Equal(initial[..10], p[..10]);
        Assert.Equal(initial[30..], p[30..]);
        Assert.NotEqual(initial[10..30], p[10..30]);
    }
}
