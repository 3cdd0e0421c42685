#region README
using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

#endregion
using FastNN.Gradients;
using FastNN.Inference;
using FastNN.Losses;

namespace FastNN.Tests.Readme.Snippets;

#region README
// Swish with a learnable β per feature: y = x·σ(βx). x and y: [batch, features]; β: [features].
public sealed class Swish<T>(int features) : ILayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int InputSize => features;
    public int OutputSize => features;
    // Neither a weight matrix nor a bias: NormScale (Init.Parameters sets it to 1; not decayed by DecayWeightsOnly).
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations { get; } =
        [new("beta", [features], ParameterKind.NormScale)];
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];
    public int ScratchLength(int batch) => batch * features;              // s = σ(βx), saved for Backward

    public void Initialize(LayerBuffers<T> buffers) => buffers.Parameters.Fill(T.One);

    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
    {
        ReadOnlySpan<T> beta = buffers.Parameters;
        Span<T> s = buffers.Scratch;
        for (int i = 0; i < batch * features; i++)
        {
            s[i] = T.One / (T.One + T.Exp(-beta[i % features] * x[i]));
            y[i] = x[i] * s[i];                                              // every element of y: OVERWRITTEN
        }
    }

    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y,
        LayerBuffers<T> buffers, int batch)
    {
        ReadOnlySpan<T> beta = buffers.Parameters, s = buffers.Scratch;
        Span<T> dbeta = buffers.Gradients;
        for (int i = 0; i < batch * features; i++)
        {
            T ds = s[i] * (T.One - s[i]);
            dbeta[i % features] += dy[i] * x[i] * x[i] * ds;                  // parameter gradients ACCUMULATE
            if (!dx.IsEmpty)                                                // empty as a model's first layer in training
                dx[i] = dy[i] * (s[i] + beta[i % features] * x[i] * ds);     // dx: OVERWRITTEN
        }
    }
}
#endregion

/// <summary>The README's layer of one's own, verbatim between the regions: its gradients pass the check, a model holds it
/// under the declared name and kind, and a predictor shared by threads runs it as the model does.</summary>
public class CustomLayerSnippetTests
{
    [Fact]
    public void TheReadmeSwishPassesTheGradientCheck()
    {
        double[] input = [.. Enumerable.Range(0, 15).Select(i => 2 * Math.Sin(1.3 * i + 0.2))];
        double[] target = [.. Enumerable.Range(0, 15).Select(i => Math.Cos(0.7 * i))];
        var options = new GradientCheckOptions { Seed = 1 };
        GradientCheck.Assert(new Swish<double>(5), input, batch: 3, new MseLoss<double>(), target, options);
        var model = new SequentialBuilder<double>(3).Dense(5).Add(new Swish<double>(5)).Dense(2).Build(maxBatch: 4, seed: 2);
        GradientCheck.Assert(model, input[..12], batch: 4, new MseLoss<double>(), target[..8]);
    }

    /// <summary>The README's claim of where a wrong dx shows: in the tensors before the layer, not in its own.</summary>
    [Fact]
    public void AWrongDxFailsInTheTensorsBeforeTheLayer()
    {
        double[] input = [.. Enumerable.Range(0, 12).Select(i => 2 * Math.Sin(1.3 * i + 0.2))];
        double[] target = [.. Enumerable.Range(0, 12).Select(i => Math.Cos(0.7 * i))];
        var model = new SequentialBuilder<double>(3).Dense(5).Add(new WrongDx(new Swish<double>(5))).Dense(2).Build(maxBatch: 4, seed: 2);
        GradientCheckResult inModel = GradientCheck.Check(model, input, 4, new MseLoss<double>(), target[..8]);
        Assert.Equal(["input", "0.weight", "0.bias"], inModel.FailedByTensor.Select(f => f.Key));
        GradientCheckResult alone = GradientCheck.Check(new WrongDx(new Swish<double>(3)), input, 4, new MseLoss<double>(), target);
        Assert.Equal(["input"], alone.FailedByTensor.Select(f => f.Key));
    }

    /// <summary>A layer whose dx has the wrong sign: the Swish of the README with its input gradient negated.</summary>
    private sealed class WrongDx(ILayer<double> layer) : ILayer<double>
    {
        public int InputSize => layer.InputSize;
        public int OutputSize => layer.OutputSize;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => layer.ParameterDeclarations;
        public IReadOnlyList<StateDeclaration> StateDeclarations => layer.StateDeclarations;
        public int ScratchLength(int batch) => layer.ScratchLength(batch);
        public void Initialize(LayerBuffers<double> buffers) => layer.Initialize(buffers);
        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch) => layer.Forward(y, x, buffers, batch);

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            layer.Backward(dx, dy, x, y, buffers, batch);
            foreach (ref double d in dx)
                d = -d;
        }
    }

    [Fact]
    public void AModelHoldsItsBetaAndAPredictorRunsItAsForwardDoes()
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Add(new Swish<float>(4)).Build(maxBatch: 8, seed: 3);
        ParameterTensor beta = Assert.Single(model.ParameterTensors);
        Assert.Equal(("0.beta", ParameterKind.NormScale), (beta.Name, beta.Kind));
        Span<float> b = model.Parameter("0.beta");
        for (int j = 0; j < b.Length; j++)
            b[j] = 0.5f + j;
        model.Training = false;
        float[] x = [.. Enumerable.Range(0, 32).Select(i => (float)Math.Sin(0.9 * i))];
        float[] expected = model.Forward(x, 8).ToArray();
        // y = x·σ(βx) in double, β = 0.5, 1.5, 2.5, 3.5 by feature.
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(x[i] / (1 + Math.Exp(-(0.5 + i % 4) * x[i])), expected[i], 6);
        var predictor = new Predictor<float>(model);
        Parallel.For(0, 4, _ =>
        {
            float[] y = new float[x.Length];
            predictor.Predict(x, y, 8);
            Assert.Equal(expected, y);   // the layer's own Forward: the same bits
        });
    }
}

