using System.Numerics;
using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Tests.Gradients;

/// <summary>
/// A stochastic layer of one's own, with a parameter and scratch, written as README and ILayer describe it (generic over
/// T, checked as <c>ILayer&lt;double&gt;</c>, drawing from <c>buffers.Context.Random</c>): the checker replays its mask at
/// every evaluation, so a right backward pass passes and one that forgets the mask fails, worst where the mask drops.
/// </summary>
public class GradientCheckStochasticLayerTests
{
    /// <summary>
    /// y = s ⊙ m ⊙ x per feature (s learned, "scale"), m drawn per element in training: 0 with probability p, else
    /// 1/(1 − p), kept in the scratch for the backward pass; 1 in evaluation. With <paramref name="forgetMask"/> the input
    /// gradient leaves m out (a real mistake); with <paramref name="ownGenerator"/> m comes from a generator of the
    /// layer's own, which the README warns against.
    /// </summary>
    private sealed class MaskedScale<T>(int features, double p, bool forgetMask = false, bool ownGenerator = false) : ILayer<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Random _own = new(1);

        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [new("scale", [features], ParameterKind.Weight)];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => batch * features;

        public void Initialize(LayerBuffers<T> buffers)
        {
            for (int j = 0; j < features; j++)
                buffers.Parameters[j] = T.CreateTruncating(buffers.Context.Random.NextDouble(0.5, 1.5));
        }

        public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch)
        {
            Span<T> mask = buffers.Scratch[..(batch * features)];
            for (int i = 0; i < mask.Length; i++)
            {
                double u = ownGenerator ? _own.NextDouble() : buffers.Context.Random.NextDouble();
                mask[i] = !buffers.Training ? T.One : u < p ? T.Zero : T.CreateTruncating(1 / (1 - p));
                y[i] = buffers.Parameters[i % features] * mask[i] * x[i];
            }
        }

        public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch)
        {
            ReadOnlySpan<T> mask = buffers.Scratch[..(batch * features)];
            for (int i = 0; i < mask.Length; i++)
            {
                if (!dx.IsEmpty)
                    dx[i] = buffers.Parameters[i % features] * (forgetMask ? T.One : mask[i]) * dy[i];
                buffers.Gradients[i % features] += mask[i] * x[i] * dy[i];
            }
        }
    }

    private const int Batch = 3, Features = 4;
    private static readonly double[] Input = [.. Enumerable.Range(0, Batch * Features).Select(i => Math.Sin(1.3 * i + 0.2))];
    private static readonly double[] Target = [.. Enumerable.Range(0, Batch * Features).Select(i => Math.Cos(0.7 * i))];

    /// <summary>A model around the layer in training mode, and the elements its next forward pass drops (the check replays that mask).</summary>
    private static (Sequential<double> Model, int Dropped) Model(ILayer<double> layer)
    {
        var model = new Sequential<double>([layer], Batch, seed: 5);
        var state = model.Random.State;
        int dropped = model.Forward(Input, Batch).ToArray().Count(v => v == 0);
        model.Random.Restore(state);
        return (model, dropped);
    }

    [Fact]
    public void ARightBackwardPassPassesInTrainingAndEvaluation()
    {
        (Sequential<double> model, int dropped) = Model(new MaskedScale<double>(Features, 0.4));
        Assert.InRange(dropped, 1, Batch * Features - 1); // the mask drops some elements and keeps others
        GradientCheck.Assert(model, Input, Batch, new MseLoss<double>(), Target);
        GradientCheck.Assert(new MaskedScale<double>(Features, 0.4), Input, Batch, new MseLoss<double>(), Target);
        GradientCheck.Assert(new MaskedScale<double>(Features, 0.4), Input, Batch, new MseLoss<double>(), Target, new GradientCheckOptions { Training = false });
    }

    [Fact]
    public void AnInputGradientThatForgetsTheMaskFailsWorstAtADroppedElement()
    {
        (Sequential<double> model, int dropped) = Model(new MaskedScale<double>(Features, 0.4, forgetMask: true));
        Assert.InRange(dropped, 1, Batch * Features - 1);
        var e = Assert.Throws<GradientCheckException>(() => GradientCheck.Assert(model, Input, Batch, new MseLoss<double>(), Target));
        GradientCheckResult result = e.Result;
        // Only the input gradient is wrong: by the factor 1/(1 − p) where m keeps, and wholly where m = 0, the worst
        // element: there the loss does not move (numeric 0) and the analytic value does.
        Assert.Equal([new KeyValuePair<string, int>("input", Batch * Features)], result.FailedByTensor);
        Assert.Equal("input", result.WorstTensor);
        Assert.Equal(0, result.Numeric);
        Assert.NotEqual(0, result.Analytic);
        Assert.Contains($"worst: input{result.WorstIndex} analytic {result.Analytic:R} numeric 0 ", e.Message);
        // In evaluation m = 1 everywhere, and the same mistake is invisible: check a stochastic layer in training mode.
        GradientCheck.Assert(new MaskedScale<double>(Features, 0.4, forgetMask: true), Input, Batch, new MseLoss<double>(), Target,
            new GradientCheckOptions { Training = false });
    }

    /// <summary>The README's warning: a mask from the layer's own generator changes at every evaluation, and the differences are noise.</summary>
    [Fact]
    public void ALayerDrawingFromAGeneratorOfItsOwnFails()
    {
        GradientCheckResult result = GradientCheck.Check(new MaskedScale<double>(Features, 0.4, ownGenerator: true), Input, Batch, new MseLoss<double>(), Target);
        Assert.False(result.Passed, result.ToString());
    }
}
