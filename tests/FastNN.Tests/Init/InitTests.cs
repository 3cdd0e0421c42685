using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Initialization;

/// <summary>Initialization: exact bounds and gains, sample moments of 1e5 draws within 5 standard errors, reproducibility.</summary>
public class InitTests
{
    private const int Draws = 100_000;

    private static (double Mean, double Variance) Moments(ReadOnlySpan<double> x)
    {
        double mean = 0, sq = 0;
        foreach (double v in x) mean += v;
        mean /= x.Length;
        foreach (double v in x) sq += (v - mean) * (v - mean);
        return (mean, sq / (x.Length - 1));
    }

    /// <summary>U(−a, a): |x| ≤ a, the extremes reached, mean 0 ± 5·√(a²/3n), variance a²/3 ± 5·√(4a⁴/45n).</summary>
    private static void AssertUniform(double[] x, double a)
    {
        double maxAbs = x.Max(Math.Abs);
        Assert.True(maxAbs <= a, $"{maxAbs} outside ±{a}");
        Assert.True(x.Max() > 0.999 * a && x.Min() < -0.999 * a, "the draws do not reach the bounds");
        (double mean, double variance) = Moments(x);
        Assert.True(Math.Abs(mean) <= 5 * Math.Sqrt(a * a / 3 / x.Length), $"mean {mean}");
        Assert.True(Math.Abs(variance - a * a / 3) <= 5 * Math.Sqrt(4 * Math.Pow(a, 4) / 45 / x.Length), $"variance {variance}, expected {a * a / 3}");
    }

    /// <summary>N(0, σ²): mean 0 ± 5σ/√n, variance σ² ± 5σ²·√(2/n), and about 68.3% within one σ.</summary>
    private static void AssertNormal(double[] x, double std)
    {
        (double mean, double variance) = Moments(x);
        Assert.True(Math.Abs(mean) <= 5 * std / Math.Sqrt(x.Length), $"mean {mean}");
        Assert.True(Math.Abs(variance - std * std) <= 5 * std * std * Math.Sqrt(2.0 / x.Length), $"variance {variance}, expected {std * std}");
        double inside = x.Count(v => Math.Abs(v) <= std) / (double)x.Length;
        Assert.True(Math.Abs(inside - 0.682689492) <= 5 * Math.Sqrt(0.6827 * 0.3173 / x.Length), $"fraction within one σ {inside}");
    }

    /// <summary>
    /// Pearson's χ² of <paramref name="u"/> (values in [0, 1)) over 100 equal bins, 99 degrees of freedom, against
    /// 208.6: the 1 − 10⁻⁹ quantile of χ²₉₉ by Wilson–Hilferty, 99·(1 − 2/891 + 5.998·√(2/891))³ (5.998: the
    /// one-sided normal quantile of 10⁻⁹), so a true uniform sample fails once in a billion runs.
    /// </summary>
    private static void AssertChiSquareUniform(IEnumerable<double> u, string what)
    {
        var counts = new int[100];
        int n = 0;
        foreach (double v in u)
        {
            Assert.True(v >= 0 && v < 1, $"{what}: {v} outside [0, 1)");
            counts[(int)(v * 100)]++;
            n++;
        }
        double expected = n / 100.0, chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 208.6, $"{what}: χ² = {chi2} over 99 degrees of freedom");
    }

    [Fact]
    public void UniformDrawsAreUniformByChiSquare()
    {
        var x = new double[Draws];
        FastNN.Init.Uniform<double>(x, 0.5, new Random(21));
        AssertChiSquareUniform(x.Select(v => (v + 0.5) / 1.0), "U(−0.5, 0.5)");
    }

    /// <summary>
    /// Consecutive pairs (z₁, z₂) of N(0, 1) draws, if independent standard normals, have exp(−(z₁² + z₂²)/2) uniform
    /// (the squared radius is χ²₂, exponential with mean 2) and their angle atan2(z₂, z₁) uniform, whatever the
    /// generator: χ² of both over 100 bins.
    /// </summary>
    [Fact]
    public void NormalPairsHaveExponentialRadiiAndUniformAngles()
    {
        var x = new double[Draws];
        FastNN.Init.Normal<double>(x, 2.0, new Random(22));
        var pairs = Enumerable.Range(0, Draws / 2).Select(j => (A: x[2 * j] / 2, B: x[2 * j + 1] / 2)).ToArray();
        AssertChiSquareUniform(pairs.Select(p => Math.Exp(-(p.A * p.A + p.B * p.B) / 2)).Select(v => Math.Min(v, 1 - 1e-16)), "exp(−r²/2)");
        AssertChiSquareUniform(pairs.Select(p => (Math.Atan2(p.B, p.A) + Math.PI) / (2 * Math.PI)).Select(v => Math.Min(v, 1 - 1e-16)), "angle");
        // Pairs from draws that straddle two calls' pairs (odd offsets) too: the sequence is one iid stream.
        var shifted = Enumerable.Range(0, Draws / 2 - 1).Select(j => (A: x[2 * j + 1] / 2, B: x[2 * j + 2] / 2)).ToArray();
        AssertChiSquareUniform(shifted.Select(p => Math.Exp(-(p.A * p.A + p.B * p.B) / 2)).Select(v => Math.Min(v, 1 - 1e-16)), "exp(−r²/2), odd pairs");
    }

    [Fact]
    public void GainsAreTorchCalculateGain()
    {
        Assert.Equal(1.0, FastNN.Init.Gain(Nonlinearity.Linear));
        Assert.Equal(1.0, FastNN.Init.Gain(Nonlinearity.Sigmoid));
        Assert.Equal(5.0 / 3, FastNN.Init.Gain(Nonlinearity.Tanh));
        Assert.Equal(Math.Sqrt(2), FastNN.Init.Gain(Nonlinearity.Relu));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.2 * 0.2)), FastNN.Init.Gain(Nonlinearity.LeakyRelu, 0.2));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), FastNN.Init.Gain(Nonlinearity.LeakyRelu));
    }

    [Fact]
    public void GlorotUniformBoundIsGainTimesSqrtSixOverFanSum()
    {
        var x = new double[Draws];
        FastNN.Init.GlorotUniform<double>(x, 30, 20, new Random(1), gain: 5.0 / 3);
        AssertUniform(x, 5.0 / 3 * Math.Sqrt(6.0 / 50));
    }

    [Fact]
    public void GlorotNormalStdIsGainTimesSqrtTwoOverFanSum()
    {
        var x = new double[Draws];
        FastNN.Init.GlorotNormal<double>(x, 30, 20, new Random(2));
        AssertNormal(x, Math.Sqrt(2.0 / 50));
    }

    [Fact]
    public void HeUniformUsesTheChosenFan()
    {
        var x = new double[Draws];
        FastNN.Init.HeUniform<double>(x, 64, 16, new Random(3));
        AssertUniform(x, Math.Sqrt(2) * Math.Sqrt(3.0 / 64));
        double gain = FastNN.Init.Gain(Nonlinearity.LeakyRelu, 0.1);
        FastNN.Init.HeUniform<double>(x, 64, 16, new Random(4), FanMode.FanOut, gain);
        AssertUniform(x, gain * Math.Sqrt(3.0 / 16));
    }

    [Fact]
    public void HeNormalStdIsGainOverSqrtFan()
    {
        var x = new double[Draws];
        FastNN.Init.HeNormal<double>(x, 50, 10, new Random(5));
        AssertNormal(x, Math.Sqrt(2.0 / 50));
        FastNN.Init.HeNormal<double>(x, 50, 10, new Random(6), FanMode.FanOut);
        AssertNormal(x, Math.Sqrt(2.0 / 10));
    }

    [Fact]
    public void LinearDefaultIsUniformOneOverSqrtFanIn()
    {
        var x = new double[Draws];
        FastNN.Init.LinearDefault<double>(x, 25, new Random(7));
        AssertUniform(x, 0.2);
        var f = new float[1000];
        FastNN.Init.LinearDefault<float>(f, 25, new Random(8));
        Assert.All(f, v => Assert.True(Math.Abs(v) <= 0.2f));
    }

    /// <summary>
    /// A built model's own initialization (the model's generator, not Init's): every Dense weight and bias, and a Residual's
    /// projection, is U(−b, b) with b = 1/√fan_in of its module's weight [out, in] (fan_in = in, never out). Per tensor of n
    /// draws: |v| ≤ b, the largest at least (1 − q)·b where (1 − q)ⁿ = 10⁻¹², mean and variance b²/3 within 6 standard
    /// errors (√(b²/3n), √(4b⁴/45n)); the large tensors' χ² over 100 bins too.
    /// </summary>
    [Fact]
    public void ABuiltModelsDenseWeightsAndBiasesAreUniformInOneOverSqrtFanIn()
    {
        Sequential<double> model = new SequentialBuilder<double>(20).Dense(400).Residual(f => f.Relu().Dense(300)).Build(maxBatch: 1, seed: 9);
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            string module = tensor.Name[..tensor.Name.LastIndexOf('.')];
            int fanIn = model.ParameterTensors.Single(t => t.Kind == ParameterKind.Weight && t.Name == module + ".weight").Shape[1];
            double b = 1 / Math.Sqrt(fanIn), q = 1 - Math.Pow(1e-12, 1.0 / tensor.Length);
            double[] v = model.Tensor(tensor.Name).ToArray();
            (double mean, double variance) = Moments(v);
            double maxAbs = v.Max(Math.Abs);
            Assert.True(maxAbs <= b && maxAbs >= (1 - q) * b, $"{tensor.Name}: |v| up to {maxAbs}, bound 1/√{fanIn} = {b}");
            Assert.True(Math.Abs(mean) <= 6 * Math.Sqrt(b * b / 3 / v.Length), $"{tensor.Name}: mean {mean}");
            Assert.True(Math.Abs(variance - b * b / 3) <= 6 * Math.Sqrt(4 * Math.Pow(b, 4) / 45 / v.Length), $"{tensor.Name}: variance {variance}, expected {b * b / 3}");
            if (v.Length >= 1000)
                AssertChiSquareUniform(v.Select(x => Math.Min((x + b) / (2 * b), 1 - 1e-16)), tensor.Name);
        }
        Assert.Equal(5, model.ParameterTensors.Count); // 0.weight, 0.bias, 1.body.1.weight, 1.body.1.bias, 1.projection.weight
    }

    [Fact]
    public void SameSeedSameValues()
    {
        float[] a = new float[100], b = new float[100], c = new float[100];
        FastNN.Init.HeNormal<float>(a, 10, 10, new Random(42));
        FastNN.Init.HeNormal<float>(b, 10, 10, new Random(42));
        FastNN.Init.HeNormal<float>(c, 10, 10, new Random(43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    private static readonly ParameterTensor[] Tensors =
    [
        new("0.weight", 0, 12, [4, 3], ParameterKind.Weight, 0),
        new("0.bias", 12, 4, [4], ParameterKind.Bias, 0),
        new("1.weight", 16, 4, [4], ParameterKind.NormScale, 1),
        new("1.bias", 20, 4, [4], ParameterKind.NormShift, 1),
        new("2.weight", 24, 1, [1], ParameterKind.PReluSlope, 2),
        new("3.weight", 25, 8, [2, 4], ParameterKind.Weight, 3),
    ];

    [Fact]
    public void ParametersDefaultIsPyTorchLinearAndNormDefaults()
    {
        double[] p = Enumerable.Repeat(double.NaN, 34).ToArray();
        FastNN.Init.Parameters<double>(p, Tensors, seed: 11);
        Assert.All(p[0..16], v => Assert.True(Math.Abs(v) <= 1 / Math.Sqrt(3) && v != 0));
        Assert.All(p[16..20], v => Assert.Equal(1.0, v));
        Assert.All(p[20..24], v => Assert.Equal(0.0, v));
        Assert.Equal(0.25, p[24]);
        Assert.All(p[25..33], v => Assert.True(Math.Abs(v) <= 0.5 && v != 0));
        Assert.True(double.IsNaN(p[33]), "an element outside every tensor was written");

        double[] again = new double[34];
        FastNN.Init.Parameters<double>(again, Tensors, seed: 11);
        Assert.Equal(p[..33], again[..33]);
        FastNN.Init.Parameters<double>(again, Tensors, seed: 12);
        Assert.NotEqual(p[..33], again[..33]);
        FastNN.Init.Parameters<double>(again, Tensors, seed: -11);   // as documented: System.Random takes |seed|
        Assert.Equal(p[..33], again[..33]);
    }

    [Fact]
    public void ParametersDrawEachNestedBiasFromItsOwnWeightsFanIn()
    {
        // A Residual or Concat is one layer (one LayerIndex) holding several Dense layers: body.0 takes 16 inputs and
        // body.2 takes 64, so body.2.bias is U(−1/8, 1/8), not U(−1/4, 1/4) as body.0's fan_in would give.
        var model = new Sequential<double>(
            [new Residual<double>(new Dense<double>(16, 64), new Relu<double>(64), new Dense<double>(64, 16)),
             new Concat<double>(new Dense<double>(16, 64), new Relu<double>(64), new Dense<double>(64, 100))], 1);
        FastNN.Init.Parameters<double>(model.Parameters, model.ParameterTensors, seed: 3);
        foreach ((string bias, int fanIn) in new[] { ("0.body.0.bias", 16), ("0.body.2.bias", 64), ("1.body.0.bias", 16), ("1.body.2.bias", 64) })
        {
            double bound = 1 / Math.Sqrt(fanIn), maxAbs = model.Tensor(bias).ToArray().Max(Math.Abs);
            Assert.True(maxAbs <= bound, $"{bias}: |b| up to {maxAbs}, outside ±1/√{fanIn} = ±{bound}");
        }
    }

    [Fact]
    public void ParametersWithHeZeroesBiases()
    {
        var p = new float[33];
        FastNN.Init.Parameters<float>(p, Tensors, seed: 12, WeightInit.HeUniform);
        Assert.All(p[0..12], v => Assert.True(Math.Abs(v) <= (float)(Math.Sqrt(2) * Math.Sqrt(3.0 / 3))));
        Assert.All(p[12..16], v => Assert.Equal(0f, v));
        Assert.All(p[25..33], v => Assert.True(Math.Abs(v) <= (float)(Math.Sqrt(2) * Math.Sqrt(3.0 / 4))));
    }

    [Fact]
    public void ABadTableOrSchemeThrowsBeforeAnyTensorIsWritten()
    {
        // A normalization scale first in the buffer, then a bias whose module has no weight: the scale used to be set
        // to 1 before the bias threw, leaving the model half re-initialized.
        ParameterTensor[] table = [new("0.weight", 0, 4, [4], ParameterKind.NormScale, 0), new("1.bias", 4, 3, [3], ParameterKind.Bias, 1)];
        double[] p = Enumerable.Repeat(double.NaN, 7).ToArray();
        Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(p, table, seed: 1));
        Assert.All(p, v => Assert.True(double.IsNaN(v)));
        double[] q = Enumerable.Repeat(double.NaN, 34).ToArray();
        Assert.Throws<ArgumentOutOfRangeException>("scheme", () => FastNN.Init.Parameters<double>(q, [Tensors[2], Tensors[0]], seed: 1, (WeightInit)99));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => FastNN.Init.Parameters<double>(q, [Tensors[2], Tensors[0]], seed: 1, WeightInit.HeNormal, mode: (FanMode)7));
        Assert.All(q, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void ABiasWhoseWeightHasNoInputsIsZeroAsInPyTorch()
    {
        // nn.Linear(0, 3).reset_parameters: bound = 1/√fan_in if fan_in > 0 else 0, so its bias is U(0, 0), all zero.
        // Before: ArgumentOutOfRangeException (fanIn must be at least 1) once the scale before it was already set to 1.
        ParameterTensor[] table =
        [
            new("0.weight", 0, 2, [2], ParameterKind.NormScale, 0),
            new("1.weight", 2, 0, [3, 0], ParameterKind.Weight, 1),
            new("1.bias", 2, 3, [3], ParameterKind.Bias, 1),
        ];
        double[] p = Enumerable.Repeat(double.NaN, 5).ToArray();
        FastNN.Init.Parameters<double>(p, table, seed: 1);
        Assert.Equal([1.0, 1.0, 0.0, 0.0, 0.0], p);
    }

    [Fact]
    public void AWeightWhoseShapeDoesNotHoldItsElementsIsRefusedBeforeAnyTensorIsWritten()
    {
        // A [3, 0] weight of 6 elements: its fan_in 0 threw ArgumentOutOfRangeException (fanIn, an argument Parameters
        // does not have) once the scale before it had been set to 1; [2, 2] for 6 elements was drawn with made-up fans.
        foreach (int[] shape in new[] { new[] { 3, 0 }, [2, 2] })
            foreach (WeightInit scheme in Enum.GetValues<WeightInit>())
            {
                ParameterTensor[] table = [new("0.weight", 0, 2, [2], ParameterKind.NormScale, 0), new("1.weight", 2, 6, shape, ParameterKind.Weight, 1)];
                double[] p = Enumerable.Repeat(double.NaN, 8).ToArray();
                var e = Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(p, table, seed: 1, scheme));
                Assert.Contains($"Weight '1.weight' has shape {TensorShape.Format(shape)}, which holds {shape[0] * shape[1]} elements, not its 6", e.Message);
                Assert.All(p, v => Assert.True(double.IsNaN(v)));
            }
    }

    [Fact]
    public void AWeightWithANegativeDimensionIsRefusedBeforeAnyTensorIsWritten()
    {
        // [−2, −3] holds 6 as a product: it passed the shape check with fans −3 and −2, and every scheme threw
        // ArgumentOutOfRangeException for 'fanIn' (an argument Parameters does not have) after the scale before it had
        // been set to 1. A shape whose product wraps in 64 bits is no shape of 6 elements either.
        foreach (int[] shape in new[] { new[] { -2, -3 }, [3, -1, -2], [int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, 2, 3] })
            foreach (WeightInit scheme in Enum.GetValues<WeightInit>())
            {
                ParameterTensor[] table = [new("0.weight", 0, 2, [2], ParameterKind.NormScale, 0), new("1.weight", 2, 6, shape, ParameterKind.Weight, 1)];
                double[] p = Enumerable.Repeat(double.NaN, 8).ToArray();
                var e = Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(p, table, seed: 1, scheme));
                Assert.Contains($"Weight '1.weight' has shape {TensorShape.Format(shape)}", e.Message);
                Assert.All(p, v => Assert.True(double.IsNaN(v)));
            }
    }

    [Fact]
    public void AWeightOfFewerThanTwoDimensionsIsRefusedAsPyTorchRefusesIt()
    {
        // Before: a [4] weight was drawn with fan_in 1 (U(−1, 1) by default), where torch.nn.init raises "Fan in and fan
        // out can not be computed for tensor with fewer than 2 dimensions".
        ParameterTensor[][] tables =
        [
            [new("0.weight", 0, 4, [4], ParameterKind.Weight, 0)],
            [new("0.weight", 0, 1, [], ParameterKind.Weight, 0)],
            // Under the PyTorch scheme a bias takes its fan_in from its module's weight: that weight is refused too.
            [new("0.bias", 0, 4, [4], ParameterKind.Bias, 0), new("0.weight", 4, 4, [4], ParameterKind.Weight, 0)],
        ];
        foreach (ParameterTensor[] table in tables)
            foreach (WeightInit scheme in Enum.GetValues<WeightInit>())
            {
                double[] p = Enumerable.Repeat(double.NaN, 8).ToArray();
                var e = Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(p, table, seed: 1, scheme));
                Assert.Contains($"Weight '0.weight' has shape {(table.Length == 1 && table[0].Length == 1 ? "[]" : "[4]")}", e.Message);
                Assert.Contains("at least 2 dimensions", e.Message);
                // The way out for a layer of one's own, and no "1-D" said of a scalar.
                Assert.Contains("declare it as another ParameterKind", e.Message);
                Assert.DoesNotContain("1-D", e.Message);
                Assert.All(p, v => Assert.True(double.IsNaN(v)));
            }
        // A 1-D tensor of another kind keeps its rule.
        double[] scale = new double[4];
        FastNN.Init.Parameters<double>(scale, [new("0.weight", 0, 4, [4], ParameterKind.NormScale, 0)], seed: 1);
        Assert.All(scale, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void ANullEntryANamelessTensorOrAnUndefinedKindIsRefusedBeforeAnyTensorIsWritten()
    {
        // Before: a null entry or a null name threw NullReferenceException, and a kind that is no ParameterKind (a cast
        // from a stored int) was silently zeroed as if it were a NormShift.
        (ParameterTensor Bad, string Says)[] cases =
        [
            (null!, "tensors[1] is null"),
            (new(null!, 4, 3, [3], ParameterKind.Bias, 1), "tensors[1] has no name"),
            (new("1.x", 4, 3, [3], (ParameterKind)42, 1), "tensors[1] ('1.x') has kind 42, which is no ParameterKind"),
        ];
        foreach ((ParameterTensor bad, string says) in cases)
            foreach (WeightInit scheme in Enum.GetValues<WeightInit>())
            {
                double[] p = Enumerable.Repeat(double.NaN, 7).ToArray();
                var e = Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(p, [new("0.weight", 0, 4, [4], ParameterKind.NormScale, 0), bad], seed: 1, scheme));
                Assert.Contains(says, e.Message);
                Assert.All(p, v => Assert.True(double.IsNaN(v)));
            }
    }

    [Fact]
    public void InvalidArgumentsAreNamed()
    {
        var x = new double[4];
        Assert.Equal(0, Assert.Throws<ArgumentOutOfRangeException>("fanIn", () => FastNN.Init.GlorotUniform<double>(x, 0, 3, new Random(1))).ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>("fanOut", () => FastNN.Init.HeNormal<double>(x, 3, -1, new Random(1), FanMode.FanOut));
        Assert.Throws<ArgumentOutOfRangeException>("gain", () => FastNN.Init.GlorotNormal<double>(x, 3, 3, new Random(1), double.NaN));
        Assert.Throws<ArgumentNullException>("random", () => FastNN.Init.LinearDefault<double>(x, 3, null!));
        Assert.Throws<ArgumentException>("tensors", () => FastNN.Init.Parameters<double>(new double[10], Tensors, 1));
    }

    [Fact]
    public void ABoundOrStdThatFloatCannotHoldIsRefusedBeforeAnyValueIsWritten()
    {
        // Before: 1e39 passed the check in double and every float drawn was ±∞ (or, from a bound of 3e38, fine, but a σ
        // of 1e38 gave ±∞ wherever the Box–Muller radius passed 3.4).
        float[] x = [float.NaN, float.NaN, float.NaN];
        var bound = Assert.Throws<ArgumentOutOfRangeException>("bound", () => FastNN.Init.Uniform<float>(x, 1e39, new Random(1)));
        Assert.Contains("not finite in float", bound.Message);
        var std = Assert.Throws<ArgumentOutOfRangeException>("std", () => FastNN.Init.Normal<float>(x, 1e39, new Random(1)));
        Assert.Contains("not finite in float", std.Message);
        // The largest draw is σ·√(−2·ln 2⁻⁵³) ≈ 8.57σ (1 − u ≥ 2⁻⁵³ for any double u below 1): past float's range at 1e38.
        Assert.Throws<ArgumentOutOfRangeException>("std", () => FastNN.Init.Normal<float>(x, 1e38, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>("std", () => FastNN.Init.Normal<double>(new double[2], 1e308, new Random(1)));
        Assert.All(x, v => Assert.True(float.IsNaN(v)));

        // The largest values each type holds are drawn finite.
        var wide = new float[10_000];
        FastNN.Init.Uniform<float>(wide, float.MaxValue, new Random(2));
        Assert.All(wide, v => Assert.True(float.IsFinite(v)));
        FastNN.Init.Normal<float>(wide, float.MaxValue / 8.6, new Random(3));
        Assert.All(wide, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(wide, v => Math.Abs(v) > float.MaxValue / 8.6);
        var doubles = new double[4];
        FastNN.Init.Uniform<double>(doubles, 1e39, new Random(4));
        Assert.All(doubles, v => Assert.True(Math.Abs(v) <= 1e39 && v != 0));
    }

    [Theory]
    [InlineData(1e150)]
    [InlineData(1.3e154)]
    [InlineData(1.4e154)]
    [InlineData(-1e200)]
    [InlineData(1e300)]
    [InlineData(double.MaxValue)]
    public void LeakyReluGainIsAccurateWhereTheSlopeSquaredOverflows(double a)
    {
        // Before: a² overflowed past 1.34e154 and the gain was 0. Reference in double: a = m·2ᵉ with m in [1, 2) scaled
        // exactly, √(2 / (1 + a²)) = 2⁻ᵉ·√(2 / (2⁻²ᵉ + m²)).
        double scale = Math.ScaleB(1, -Math.ILogB(a)), m = a * scale;
        double expected = scale * Math.Sqrt(2 / (scale * scale + m * m));
        double gain = FastNN.Init.Gain(Nonlinearity.LeakyRelu, a);
        Assert.True(Math.Abs(gain - expected) <= Math.BitIncrement(expected) - expected, $"gain {gain:R}, expected {expected:R}");
    }
}
