using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Layers;

/// <summary>A model's passes used out of the common order, and the errors of the blocks' constructors.</summary>
public class LayerReuseEdgeTests
{
    [Fact]
    public void BackwardAfterAForwardThatThrewIsRefused()
    {
        // The Dense layer runs, then BatchNorm1d refuses 1 row in training: the workspace holds the Dense output of the
        // failed pass over the scratch of the last good one (batch 4). A Backward of batch 1 used to run on that and
        // return gradients of no forward pass at all; PyTorch has no graph to run backward on.
        var model = new Sequential<double>([new Dense<double>(3, 4), new BatchNorm1d<double>(4)], maxBatch: 4);
        model.Forward(new double[12], 4);
        model.Backward(new double[16], 4);
        Assert.ThrowsAny<ArgumentException>(() => model.Forward(new double[3], 1));
        double[] before = model.Gradients.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => model.Backward(new double[4], 1));
        Assert.Contains("threw", e.Message);
        Assert.Equal(before, model.Gradients.ToArray());
        // Nor does the failed pass leave the earlier batch's Backward open: its activations were partly overwritten.
        Assert.Throws<InvalidOperationException>(() => model.Backward(new double[16], 4));
        // A good pass opens Backward again.
        model.Forward(new double[6], 2);
        model.Backward(new double[8], 2);
    }

    [Fact]
    public void AOneRowTrainingPassRefusedByBatchNormLeavesEveryRunningStatisticAsItWas()
    {
        // Every BatchNorm1d of a pass sees the same batch, so the first one to run refuses it, before its update: the
        // state of no BatchNorm, at any depth, changes (PyTorch refuses the same batch in the same place).
        var model = new SequentialBuilder<double>(3).Dense(4).BatchNorm().Relu()
            .Residual(b => b.Dense(4).BatchNorm()).Concat(b => b.BatchNorm().Dense(2)).Build(maxBatch: 4, seed: 3);
        model.Forward([0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, -0.8, 0.9], 3);
        double[] state = model.State.ToArray();
        Assert.ThrowsAny<ArgumentException>(() => model.Forward([1.0, 2.0, 3.0], 1));
        Assert.Equal(state, model.State.ToArray());
    }

    [Fact]
    public void ABackwardBeforeAnyForwardSaysSo()
    {
        var model = new Sequential<float>([new Dense<float>(2, 2)], maxBatch: 2);
        var e = Assert.Throws<InvalidOperationException>(() => model.Backward(new float[2], 1));
        Assert.Contains("no Forward has completed", e.Message);
    }

    public static TheoryData<string> Overwrites => ["SetTensor", "SetTensor of a state tensor", "Initialize", "LoadWeights"];

    [Theory]
    [MemberData(nameof(Overwrites))]
    public void ABackwardAfterTheTensorsWereOverwrittenIsRefused(string overwrite)
    {
        // Before: the Backward ran on the last Forward's activations with the new weights, a gradient of no model at all
        // (PyTorch's version counter raises when a tensor saved for backward is modified in place).
        var model = new SequentialBuilder<double>(3).Dense(4).BatchNorm().Relu().Dense(2).Build(maxBatch: 4, seed: 3);
        using var folder = new FastNN.Tests.IO.TempFolder();
        string file = folder.File("model.safetensors");
        FastNN.IO.ModelFile.Save(file, model);
        model.Forward(new double[12], 4);
        model.Backward(new double[8], 4);
        switch (overwrite)
        {
            case "SetTensor": model.SetTensor("3.weight", new double[8]); break;
            case "SetTensor of a state tensor": model.SetTensor("1.running_var", [2.0, 2, 2, 2]); break;
            case "Initialize": model.Initialize(7); break;
            default: FastNN.IO.ModelFile.LoadWeights(file, model); break;
        }
        double[] gradients = model.Gradients.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => model.Backward(new double[8], 4));
        Assert.Contains("no Forward has completed since", e.Message);
        Assert.Equal(gradients, model.Gradients.ToArray());
        // A new pass opens Backward again.
        model.Forward(new double[12], 4);
        model.Backward(new double[8], 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void PReluSlopeGradientIsTheSameWithoutTheInputGradient(int slopes)
    {
        // As the model's first layer with ComputeInputGradient off, PReLU got an empty dx and summed the slope gradient
        // in its own loop, over x ≤ 0 only: a NaN input (x ≤ 0 false) was skipped, giving a finite slope gradient where
        // the kernel (and PyTorch: x > 0 ? 0 : x·dy) gives NaN, and the shared slope's sum was taken in another order.
        const int batch = 300; // 900 elements: more than one of the kernel's 256-element chunks
        var x = new double[batch * 3];
        var dy = new double[batch * 3];
        var random = new Random(11);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble() * 2 - 1.2;
            dy[i] = random.NextDouble() - 0.5;
        }
        double[] Gradient(bool inputGradient, double[] input)
        {
            var model = new Sequential<double>([new PRelu<double>(3, slopes)], batch) { ComputeInputGradient = inputGradient };
            model.Forward(input, batch);
            model.Backward(dy, batch);
            return model.Gradients.ToArray();
        }
        Assert.Equal(Gradient(true, x), Gradient(false, x)); // bit for bit
        // Reference, written simply: Σ over x ≤ 0 of x·dy per slope.
        var expected = new double[slopes];
        for (int i = 0; i < x.Length; i++)
            if (!(x[i] > 0))
                expected[slopes == 1 ? 0 : i % 3] += x[i] * dy[i];
        double[] actual = Gradient(false, x);
        for (int s = 0; s < slopes; s++)
            Assert.Equal(expected[s], actual[s], 1e-12);

        x[4] = double.NaN; // feature 1
        double[] withNaN = Gradient(false, x);
        Assert.True(double.IsNaN(withNaN[slopes == 1 ? 0 : 1]));
        Assert.Equal(Gradient(true, x), withNaN);
    }

    [Fact]
    public void AnOutputGradientThatIsTheInputGradientIsRefusedBeforeAnythingIsWritten()
    {
        // A model iterated on its own input gradient (widths in = out): Backward(model.InputGradient(b), b). A Residual
        // first layer wrote its body's dx over dy and then added dy (now dx) to it: 2·f′·dy instead of f′·dy + dy, silently.
        // A Dense first layer threw, but only after adding to its weight gradient.
        double[] x = [0.3, -0.2, 0.5, 0.1, 0.7, -0.4], dy = [1, 2, 3, -1, 0.5, 0.25];
        foreach (ILayer<double> layer in new ILayer<double>[] { new Residual<double>(new Tanh<double>(3)), new Dense<double>(3, 3) })
        {
            var model = new Sequential<double>([layer], maxBatch: 2, seed: 1);
            model.Forward(x, 2);
            model.Backward(dy, 2);
            double[] gradients = model.Gradients.ToArray();
            double[] inputGradient = model.InputGradient(2).ToArray();
            var e = Assert.Throws<ArgumentException>(() => model.Backward(model.InputGradient(2), 2));
            Assert.Equal("outputGradient", e.ParamName);
            Assert.Contains("[2, 3]", e.Message);
            Assert.Equal(gradients, model.Gradients.ToArray());
            Assert.Equal(inputGradient, model.InputGradient(2).ToArray());
        }
        // A copy is fine, and for y = x + tanh(x) gives dx = dy·(1 − tanh²x) + dy.
        var residual = new Sequential<double>([new Residual<double>(new Tanh<double>(3))], maxBatch: 2);
        residual.Forward(x, 2);
        residual.Backward(dy, 2);
        double[] first = residual.InputGradient(2).ToArray();
        residual.Backward(first, 2);
        double[] second = residual.InputGradient(2).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            double t = Math.Tanh(x[i]);
            Assert.Equal(dy[i] * (2 - t * t), first[i], 1e-15);
            Assert.Equal(first[i] * (2 - t * t), second[i], 1e-15);
        }
    }

    /// <summary>A user layer y = x whose backward pass refuses a NaN in dy, as a layer of one's own may check its input.</summary>
    private sealed class NanGuard(int features) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) { }
        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch) => x.CopyTo(y);

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            if (dy.ToArray().Any(double.IsNaN))
                throw new ArgumentException("dy holds NaN.", nameof(dy));
            dy.CopyTo(dx);
        }
    }

    [Fact]
    public void AnInputGradientIsNotServedFromABackwardThatThrew()
    {
        // A Backward that threw (here before the first layer wrote dx) left the last good pass's batch recorded:
        // InputGradient served that pass's gradient, of another input, as this one's. Forward records its batch only once
        // every layer has run; Backward now does the same.
        var model = new Sequential<double>([new Dense<double>(2, 2), new NanGuard(2)], maxBatch: 2, seed: 1);
        model.Forward([0.5, -1, 2, 0.25], 2);
        model.Backward([1, 2, 3, 4], 2);
        Assert.Equal(4, model.InputGradient(2).Length);
        model.Forward([1.5, 1, -2, 0.75], 2);
        Assert.Throws<ArgumentException>(() => model.Backward([double.NaN, 2, 3, 4], 2));
        var e = Assert.Throws<InvalidOperationException>(() => { model.InputGradient(2); });
        Assert.Contains("threw", e.Message);
        // A good pass serves it again.
        model.Backward([1, 2, 3, 4], 2);
        Assert.Equal(4, model.InputGradient(2).Length);

        // One with ComputeInputGradient off says so, not that none ran with it on (the pass before did).
        model.ComputeInputGradient = false;
        model.Backward([1, 2, 3, 4], 2);
        Assert.Contains("the last Backward ran with ComputeInputGradient off", Assert.Throws<InvalidOperationException>(() => { model.InputGradient(2); }).Message);
    }

    [Fact]
    public void ResidualAndConcatConstructorsNameTheirBodyArgument()
    {
        // DESIGN.md: an ArgumentException names the argument. The blocks' argument is body; they said 'layers'.
        Assert.Equal("body", Assert.Throws<ArgumentException>(() => new Residual<float>()).ParamName);
        Assert.Equal("body", Assert.Throws<ArgumentException>(() => new Concat<float>()).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new Residual<float>(new Dense<float>(3, 4), new Dense<float>(5, 2)));
        Assert.Equal("body", e.ParamName);
        Assert.Contains("[batch, 5]", e.Message);
        Assert.Contains("[batch, 4]", e.Message);
        Assert.Equal("body", Assert.Throws<ArgumentException>(() => new Concat<float>(new Dense<float>(3, 4), null!)).ParamName);
        Assert.Equal("body", Assert.Throws<ArgumentNullException>(() => new Residual<float>((IEnumerable<ILayer<float>>)null!)).ParamName);
        // The model's own list keeps its name.
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => new Sequential<float>([], 1)).ParamName);
    }
}
