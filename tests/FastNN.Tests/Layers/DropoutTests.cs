using System.Text.Json;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FsCheck.Xunit;

namespace FastNN.Tests.Layers;

public class DropoutTests
{
    [Property(MaxTest = 40)]
    public void GradientsMatchFiniteDifferencesWithTheMaskFixed(byte b, byte f, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(f);
        Checks.Passes(TestData.Model(random, batch, new Dense<double>(n, n), new Dropout<double>(n, 0.3)), random, batch);
    }

    /// <summary>
    /// Dropout after a Dense whose activation the chain fuses, in training: the backward pass reuses each forward mask,
    /// whether the parameter gradients accumulate (GradientCheck's finite differences, with the mask replayed) or are
    /// overwritten (the trainer's direct step): both passes after one forward give the same gradients.
    /// </summary>
    [Fact]
    public void MasksAreReusedBehindFusedActivationsInBothBackwardModes()
    {
        var random = new Random(4);
        ILayer<double>[] Layers() => [new Dense<double>(5, 7), new Relu<double>(7), new Dropout<double>(7, 0.4),
            new Dense<double>(7, 6), new Tanh<double>(6), new Dropout<double>(6, 0.25), new Dense<double>(6, 3)];
        Checks.Passes(TestData.Model(random, 4, Layers()), random, 4);

        var model = new Sequential<double>(Layers(), 4, seed: 8);
        double[] x = TestData.Uniform(random, 20), dy = TestData.Uniform(random, 12);
        model.Forward(x, 4);
        model.Backward(dy, 4, accumulate: false);
        double[] overwritten = model.Gradients.ToArray();
        model.ZeroGrad();
        model.Backward(dy, 4);
        Assert.Equal(model.Gradients.ToArray(), overwritten);
        Assert.Contains(overwritten, g => g != 0);
    }

    [Fact]
    public void TrainingZeroesAboutPAndScalesTheRest()
    {
        const int n = 20_000;
        var model = new Sequential<double>([new Dropout<double>(n, 0.25)], 1, seed: 5);
        double[] x = Enumerable.Repeat(3.0, n).ToArray();
        double[] y = model.Forward(x, 1).ToArray();
        int zeros = y.Count(v => v == 0);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 3.0 / 0.75) < 1e-15, $"{v}"));
        // Binomial(20 000, 0.25): standard deviation ≈ 61; allow 6 of them.
        Assert.InRange(zeros, 5000 - 370, 5000 + 370);

        model.Backward(Enumerable.Repeat(1.0, n).ToArray(), 1);
        double[] dx = model.InputGradient(1).ToArray();
        for (int i = 0; i < n; i++)
            Assert.Equal(y[i] / 3.0, dx[i], 1e-15);
    }

    /// <summary>
    /// A kept element is scaled by PyTorch's factor, bit for bit, in float and double (Fixtures/dropout_fixtures.json,
    /// from make_dropout_fixtures.py): PyTorch divides by 1 − p rounded to the element type, which in float differs from
    /// float(1 / (1 − p)) by an ulp at p = 0.15 and 0.45.
    /// </summary>
    [Fact]
    public void KeptElementsAreScaledByPyTorchsFactorInFloatAndDouble()
    {
        JsonElement root = JsonFixture.Load("dropout_fixtures.json");
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (JsonElement c in root.GetProperty("cases").EnumerateArray())
        {
            double p = c.GetProperty("p").GetDouble();
            float[] f = new Sequential<float>([new Dropout<float>(256, p)], 1, seed: 3).Forward(Enumerable.Repeat(1f, 256).ToArray(), 1).ToArray();
            double[] d = new Sequential<double>([new Dropout<double>(256, p)], 1, seed: 3).Forward(Enumerable.Repeat(1.0, 256).ToArray(), 1).ToArray();
            Assert.All(f, v => Assert.True(v == 0 || v == (float)c.GetProperty("float32").GetDouble(), $"p = {p}: float {v:R}, PyTorch {c.GetProperty("float32").GetDouble():R}"));
            Assert.All(d, v => Assert.True(v == 0 || v == c.GetProperty("float64").GetDouble(), $"p = {p}: double {v:R}, PyTorch {c.GetProperty("float64").GetDouble():R}"));
            Assert.Contains(f, v => v != 0);
        }
    }

    [Fact]
    public void ProbabilityZeroKeepsEverythingAndOneDropsEverything()
    {
        double[] x = Enumerable.Range(1, 101).Select(i => (double)i).ToArray();
        Assert.Equal(x, new Sequential<double>([new Dropout<double>(101, 0)], 1).Forward(x, 1).ToArray());
        Assert.All(new Sequential<double>([new Dropout<double>(101, 1)], 1).Forward(x, 1).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void EvaluationIsIdentity()
    {
        var model = new Sequential<double>([new Dropout<double>(5)], 2) { Training = false };
        double[] x = [1, -2, 3, -4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(x, model.Forward(x, 2).ToArray());
        model.Backward(x, 2);
        Assert.Equal(x, model.InputGradient(2).ToArray());
    }

    [Fact]
    public void TheSeedFixesTheMask()
    {
        double[] Run(ulong seed)
        {
            var model = new Sequential<double>([new Dropout<double>(64)], 1, seed);
            return model.Forward(Enumerable.Repeat(1.0, 64).ToArray(), 1).ToArray();
        }
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void TheMaskIsTheSeedsStreamTwoElementsADraw()
    {
        // Each 64-bit draw of the model's generator, in order, gives the low 32 bits to an element and the high 32 bits to
        // the next; dropped below p·2³². Odd and past the layer's chunks of draws, so that the rule holds across them.
        const int n = 4099;
        const double p = 0.3;
        var model = new Sequential<float>([new Dropout<float>(n, p)], 1, seed: 9);
        float[] y = model.Forward(Enumerable.Repeat(1f, n).ToArray(), 1).ToArray();
        var random = new FastRandom(9);
        // The model's own initialization draws nothing for a dropout layer: its stream starts at the seed.
        ulong threshold = (ulong)Math.Round(p * 4294967296.0);
        for (int i = 0; i < n; i += 2)
        {
            ulong draw = random.NextUInt64();
            Assert.Equal((draw & 0xFFFFFFFF) < threshold ? 0f : 1f / (float)(1 - p), y[i]);
            if (i + 1 < n)
                Assert.Equal((draw >> 32) < threshold ? 0f : 1f / (float)(1 - p), y[i + 1]);
        }
    }

    [Fact]
    public void FillDrawsWhatNextUInt64Draws()
    {
        var one = new FastRandom(42);
        var bulk = new FastRandom(42);
        one.NextUInt64();
        bulk.NextUInt64();
        var drawn = new ulong[37];
        bulk.Fill(drawn);
        Assert.Equal(Enumerable.Range(0, 37).Select(_ => one.NextUInt64()), drawn);
        Assert.Equal(one.State, bulk.State);
    }
}
