using FastNN.Models;
using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>Coupled (Adam's L2 in the gradient) against decoupled (AdamW's shrink) weight decay, and the default grouping.</summary>
public class WeightDecayTests
{
    [Fact]
    public void AdamWWithZeroGradientShrinksEveryWeightByExactlyOneMinusLrTimesDecay()
    {
        const double lr = 0.01, wd = 0.1;
        float[] p = [.. TestData.Uniform(new Random(1), 33).Select(x => (float)x)];
        float[] expected = (float[])p.Clone();
        var adamW = new AdamW<float>(p.Length, lr, weightDecay: wd);
        float[] zero = new float[p.Length];
        for (int t = 0; t < 10; t++)
        {
            adamW.Step(p, zero);
            for (int i = 0; i < expected.Length; i++) expected[i] *= (float)(1 - lr * wd);
            Assert.Equal(expected, p);
        }
    }

    // ε = 0 is allowed, as torch.optim allows it, and gives what PyTorch 1.13 gives (optimizer_edge_fixtures.json, AdamW
    // with eps 0): 0/0 = NaN where every gradient so far was 0, which the ε parameters' docs and AdamW's remarks say.
    [Fact]
    public void EpsilonZeroMakesNaNWhereEveryGradientSoFarWasZero()
    {
        Optimizer<float>[] optimizers = [new Adam<float>(2, epsilon: 0), new AdamW<float>(2, epsilon: 0), new RmsProp<float>(2, epsilon: 0)];
        foreach (Optimizer<float> optimizer in optimizers)
        {
            float[] p = [0.5f, 0.5f];
            optimizer.Step(p, [0.25f, 0]);
            Assert.True(float.IsFinite(p[0]) && float.IsNaN(p[1]), $"{optimizer.Algorithm}: {p[0]}, {p[1]}");
        }
    }

    [Fact]
    public void AdamWithCoupledDecayAndZeroGradientMovesEachWeightByAboutLrNotByAFactor()
    {
        // g = λθ passes through Adam's normalization: the first step is θ − γ·λθ/(|λθ| + ε) ≈ θ − γ·sign(θ).
        const double lr = 0.01, wd = 0.1, eps = 1e-8;
        double[] p = TestData.Uniform(new Random(2), 33);
        double[] initial = (double[])p.Clone();
        var adam = new Adam<double>(p.Length, lr, weightDecay: wd);
        adam.Step(p, new double[p.Length]);
        double[] expected = [.. initial.Select(x => x - lr * (wd * x) / (Math.Abs(wd * x) + eps))];
        TestData.AssertClose(expected, p, 1e-12, 1e-15, "Adam step 1");
        double[] ratios = [.. p.Zip(initial, (a, b) => a / b)];
        Assert.True(ratios.Max() - ratios.Min() > 0.1, "coupled decay with Adam is not a uniform shrink factor");
        Assert.NotEqual(initial.Select(x => x * (1 - lr * wd)), p);
    }

    [Fact]
    public void DefaultGroupingDecaysOnlyWeights()
    {
        ParameterTensor[] tensors =
        [
            new("0.weight", 0, 6, [3, 2], ParameterKind.Weight, 0),
            new("0.bias", 6, 3, [3], ParameterKind.Bias, 0),
            new("1.weight", 9, 3, [3], ParameterKind.NormScale, 1),
            new("1.bias", 12, 3, [3], ParameterKind.NormShift, 1),
            new("2.weight", 15, 1, [1], ParameterKind.PReluSlope, 2),
            new("3.weight", 16, 4, [1, 3], ParameterKind.Weight, 3),
        ];
        IReadOnlyList<ParameterGroup> groups = ParameterGroup.DecayWeightsOnly(tensors);
        Assert.Equal([new ParameterGroup(0, 6), new ParameterGroup(6, 10, null, 0.0), new ParameterGroup(16, 4)], groups);

        const double lr = 0.05, wd = 0.2;
        double[] p = TestData.Uniform(new Random(3), 20);
        double[] initial = (double[])p.Clone();
        var adamW = new AdamW<double>(20, lr, weightDecay: wd, groups: groups);
        adamW.Step(p, new double[20]);
        for (int i = 0; i < 20; i++)
        {
            bool weight = i < 6 || i >= 16;
            Assert.Equal(weight ? initial[i] * (1 - lr * wd) : initial[i], p[i]);
        }
    }

    [Fact]
    public void SgdCoupledDecayEntersTheMomentumBufferAndSgdwDoesNot()
    {
        // With zero gradient, SGD's buffer accumulates λθ (b ← μb + λθ) and SGDW's stays zero.
        const double lr = 0.1, wd = 0.5, mu = 0.9;
        double[] a = [1.0], b = [1.0];
        var sgd = new Sgd<double>(1, lr, mu, weightDecay: wd);
        var sgdw = new Sgdw<double>(1, lr, mu, weightDecay: wd);
        for (int t = 0; t < 3; t++)
        {
            sgd.Step(a, [0.0]);
            sgdw.Step(b, [0.0]);
        }
        Assert.Equal(Math.Pow(1 - lr * wd, 3), b[0], 15);
        Assert.All(sgdw.SaveState().Buffers["momentum_buffer"], x => Assert.Equal(0.0, x));
        Assert.NotEqual(0.0, sgd.SaveState().Buffers["momentum_buffer"][0]);
        // SGD by hand: b1 = λθ0, θ1 = θ0 − γb1; b2 = μb1 + λθ1, θ2 = θ1 − γb2; ...
        double theta = 1, buf = 0;
        for (int t = 1; t <= 3; t++)
        {
            buf = t == 1 ? wd * theta : mu * buf + wd * theta;
            theta -= lr * buf;
        }
        Assert.Equal(theta, a[0], 15);
    }
}
