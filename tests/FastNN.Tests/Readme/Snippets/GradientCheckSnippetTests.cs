using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Readme.Snippets;

/// <summary>The README's "Gradient checking your own layer" line, verbatim between the regions, with the MyLayer, input
/// and target its comment describes; and the Dense layer the comment says works too.</summary>
public class GradientCheckSnippetTests
{
    /// <summary>A user's layer, 8 features in and out: y = tanh(w ⊙ x + b), per feature.</summary>
    private sealed class MyLayer(int features) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations =>
            [new("weight", [features], ParameterKind.Weight), new("bias", [features], ParameterKind.Bias)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;

        public void Initialize(LayerBuffers<double> buffers)
        {
            for (int j = 0; j < features; j++)
            {
                buffers.Parameters[j] = 0.5 + 0.1 * j;
                buffers.Parameters[features + j] = 0.2 - 0.05 * j;
            }
        }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            ReadOnlySpan<double> w = buffers.Parameters[..features], b = buffers.Parameters[features..];
            for (int i = 0; i < batch * features; i++)
                y[i] = Math.Tanh(w[i % features] * x[i] + b[i % features]);
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            ReadOnlySpan<double> w = buffers.Parameters[..features];
            Span<double> dw = buffers.Gradients[..features], db = buffers.Gradients[features..];
            for (int i = 0; i < batch * features; i++)
            {
                double dz = dy[i] * (1 - y[i] * y[i]);
                if (!dx.IsEmpty)
                    dx[i] = dz * w[i % features];
                dw[i % features] += dz * x[i];
                db[i % features] += dz;
            }
        }
    }

    // 4 rows of 8, and targets away from the outputs (at a target equal to the output every gradient is 0).
    private static readonly double[] Input = [.. Enumerable.Range(0, 32).Select(i => Math.Sin(1.7 * i + 0.3))];

    [Fact]
    public void TheReadmeLineChecksAUserLayer()
    {
        double[] input = Input, target = [.. Enumerable.Range(0, 32).Select(i => 1.5 * Math.Cos(0.9 * i))];
        #region README
        // using FastNN.Gradients; using FastNN.Losses;  MyLayer: your ILayer<double> (8 features in);
        // input: 4 rows of 8 doubles; target: 4 rows of MyLayer's outputs. Any ILayer<double> works, new Dense<double>(8, 3) too.
        GradientCheck.Assert(new MyLayer(8), input, batch: 4, new MseLoss<double>(), target);
        #endregion
        Assert.True(GradientCheck.Check(new MyLayer(8), input, batch: 4, new MseLoss<double>(), target).CheckedElements == 32 + 16);
    }

    [Fact]
    public void ADenseLayerWorksInTheSameLine()
    {
        double[] target = [.. Enumerable.Range(0, 12).Select(i => 1.5 * Math.Cos(0.9 * i))];
        GradientCheck.Assert(new Dense<double>(8, 3), Input, batch: 4, new MseLoss<double>(), target);
    }
}
