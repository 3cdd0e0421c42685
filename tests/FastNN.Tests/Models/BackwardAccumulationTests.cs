using FastNN.Models;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Two Backward calls after one Forward (two losses on one output, as PyTorch's retain_graph=True) on random
/// architectures in training mode (dropout masks, batch statistics): the parameter gradients are the sum of what each
/// gives alone (within 1e-12 of the largest gradient: the sums round in another order) and the input gradient is the
/// second's: no backward pass spoils the forward pass's caches.
/// </summary>
public class BackwardAccumulationTests
{
    [Property(MaxTest = 30, EndSize = 1 << 30)]
    public void TwoBackwardsAfterOneForwardAddTheirGradients(int seed)
    {
        var random = new Random(seed);
        var model = RandomArchitectures.Fresh<double>(random, 70, (ulong)seed);
        int batch = 2 + random.Next(60);
        double[] x = RandomArchitectures.Input<double>(random, batch, model.InputSize);
        double[] dy1 = RandomArchitectures.Input<double>(random, batch, model.OutputSize);
        double[] dy2 = RandomArchitectures.Input<double>(random, batch, model.OutputSize);
        var state = model.Random.State;
        double[] Grad(params double[][] dys)
        {
            model.ZeroGrad();
            model.Random.Restore(state);
            model.Forward(x, batch);
            foreach (var dy in dys) model.Backward(dy, batch);
            return model.Gradients.ToArray().Concat(model.InputGradient(batch).ToArray()).ToArray();
        }
        double[] g1 = Grad(dy1), g2 = Grad(dy2), g12 = Grad(dy1, dy2);
        double scale = g1.Concat(g2).Select(Math.Abs).DefaultIfEmpty(0).Max();
        int n = model.Gradients.Length;
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(g12[i] - (g1[i] + g2[i])) <= 1e-12 * (1 + scale), $"seed {seed}: gradient {i}: {g12[i]} after two backwards, {g1[i] + g2[i]} summed\n{model.ToJson()}");
        for (int i = n; i < g1.Length; i++)
            Assert.True(Math.Abs(g12[i] - g2[i]) <= 1e-12 * (1 + scale), $"seed {seed}: input gradient {i - n}: {g12[i]} after two backwards, {g2[i]} from the second alone\n{model.ToJson()}");
    }
}
