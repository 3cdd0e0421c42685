using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FsCheck.Xunit;

namespace FastNN.Tests.Layers;

public class CompositeTests
{
    [Property(MaxTest = 30)]
    public void ResidualAroundSeveralLayersMatchesFiniteDifferences(byte b, byte f, byte h, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(f), hidden = TestData.Width(h);
        var block = new Residual<double>(new Dense<double>(n, hidden), new LayerNorm<double>(hidden), new Dense<double>(hidden, n));
        Assert.False(block.HasProjection);
        Checks.Passes(TestData.Model(random, batch, block), random, batch);
    }

    [Fact]
    public void AConcatOrLayerNormWorkspacePastAnIntNamesMaxBatch()
    {
        // 450M rows: the body's scratch (4 per row) fits an int, the concat's (5 per row) does not. Before, the sum
        // wrapped to a negative count and the model blamed the layer: ArgumentException 'layers', "Layer 0 (Concat) asks
        // for -2044967296 elements of scratch". Nothing is allocated either way.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Sequential<float>([new Concat<float>(new Dense<float>(1, 1), new Relu<float>(1))], maxBatch: 450_000_000));
        Assert.Equal("maxBatch", e.ParamName);
        // LayerNorm's two numbers per row, likewise, at 1.5G rows of one feature.
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential<float>([new LayerNorm<float>(1)], maxBatch: 1_500_000_000));
        Assert.Equal("maxBatch", e.ParamName);
    }

    [Fact]
    public void ADropoutOrBatchNormScratchPastAnIntNamesMaxBatch()
    {
        // Dropout's mask (batch × features) inside a block whose own widths are small: 3000 rows of 2^20 features wrapped
        // to −1,149,239,296, and the model blamed the built-in layer: ArgumentException 'body', "residual body layer 1
        // (Dropout) asks for -1149239296 elements of scratch ...; ScratchLength must not be negative".
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SequentialBuilder<float>(4).Residual(b => b.Dense(1 << 20).Dropout().Dense(4)).Build(maxBatch: 3000));
        Assert.Equal("maxBatch", e.ParamName);
        // BatchNorm1d's 5 numbers per feature, at 450M features (one row of them fits an array; nothing is allocated).
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential<float>([new BatchNorm1d<float>(450_000_000)], maxBatch: 1));
        Assert.Equal("maxBatch", e.ParamName);
        Assert.Contains("lower maxBatch or the widths", e.Message); // maxBatch is 1 already
    }

    [Fact]
    public void ResidualProjectionStartsAsNnLinearDefault()
    {
        // The projection is an nn.Linear(16, 300, bias=False): U(−1/√16, 1/√16), drawn (not left at zero).
        var model = new Sequential<double>([new Residual<double>(new Dense<double>(16, 300))], 1, seed: 5);
        ParameterTensor projection = Assert.Single(model.ParameterTensors, t => t.Name == "0.projection.weight");
        Assert.Equal([300, 16], projection.Shape);
        double[] w = model.Parameters.Slice(projection.Offset, projection.Length).ToArray();
        double bound = 1 / Math.Sqrt(16);
        Assert.All(w, p => Assert.InRange(Math.Abs(p), 0, bound));
        // Uniform over (−b, b): the largest of 4 800 draws is close to b, and the draws are not the body's.
        Assert.True(w.Max(Math.Abs) > 0.99 * bound);
        Assert.NotEqual(model.Parameters[..projection.Length].ToArray(), w);
    }

    [Property(MaxTest = 30)]
    public void ResidualWithProjectionMatchesFiniteDifferences(byte b, byte f, byte o, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b), n = TestData.Width(f), m = n + 1 + o % 4;
        var block = new Residual<double>(new Dense<double>(n, m), new Dense<double>(m, m));
        Assert.True(block.HasProjection);
        Checks.Passes(TestData.Model(random, batch, block), random, batch);
    }

    [Property(MaxTest = 30)]
    public void ConcatMatchesFiniteDifferences(byte b, byte f, byte o, int seed)
    {
        var random = new Random(seed);
        int batch = TestData.Batch(b);
        var block = new Concat<double>(new Dense<double>(TestData.Width(f), TestData.Width(o)), new LayerNorm<double>(TestData.Width(o)));
        Checks.Passes(TestData.Model(random, batch, block, new Dense<double>(block.OutputSize, 3)), random, batch);
    }

    [Fact]
    public void ResidualIsInputPlusBody()
    {
        var random = new Random(1);
        var body = new ILayer<double>[] { new Dense<double>(3, 5), new Dense<double>(5, 3) };
        var model = TestData.Model(random, 2, new Residual<double>(body));
        var plain = new Sequential<double>(body, 2);
        model.Parameters.CopyTo(plain.Parameters);
        Assert.Equal(["0.body.0.weight", "0.body.0.bias", "0.body.1.weight", "0.body.1.bias"], model.ParameterTensors.Select(p => p.Name));
        double[] x = TestData.Uniform(random, 6);
        double[] fx = plain.Forward(x, 2).ToArray();
        double[] y = model.Forward(x, 2).ToArray();
        for (int i = 0; i < 6; i++)
            Assert.Equal(x[i] + fx[i], y[i], 1e-14);
    }

    [Fact]
    public void ConcatPlacesInputThenBodyOutput()
    {
        var random = new Random(2);
        var dense = new Dense<double>(2, 3);
        var model = TestData.Model(random, 2, new Concat<double>(dense));
        var plain = new Sequential<double>([dense], 2);
        model.Parameters.CopyTo(plain.Parameters);
        double[] x = [1, 2, 3, 4];
        double[] fx = plain.Forward(x, 2).ToArray();
        double[] y = model.Forward(x, 2).ToArray();
        Assert.Equal([1, 2, fx[0], fx[1], fx[2], 3, 4, fx[3], fx[4], fx[5]], y);
        Assert.Equal(["0.body.0.weight", "0.body.0.bias"], model.ParameterTensors.Select(p => p.Name));
    }
}
