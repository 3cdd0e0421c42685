using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Layers;

namespace FastNN.Tests.Gradients;

/// <summary>Runs GradientCheck on a model at a random input against MSE to a random target, failing with the checker's message.</summary>
internal static class Checks
{
    public static void Passes(Sequential<double> model, Random random, int batch, double[]? input = null)
    {
        input ??= TestData.Uniform(random, batch * model.InputSize);
        double[] target = TestData.Uniform(random, batch * model.OutputSize);
        GradientCheckResult result = GradientCheck.Check(model, input, batch, new MseLoss<double>(), target);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(input.Length + model.Parameters.Length, result.CheckedElements);
    }
}
