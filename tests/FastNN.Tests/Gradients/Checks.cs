using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Layers;

namespace FastNN.Tests.Gradients;

/// <summary>Runs GradientCheck on a model at a random input against MSE to a random target, failing with the checker's message.</summary>
internal static class Checks
{
    /// <summary>
    /// Tolerances for checking FastNN's own layers and losses, 100 (atol) and 1000 (rtol) times tighter than torch.autograd.gradcheck's defaults
    /// (atol 1e-5, rtol 1e-3, which a backward pass wrong by 1e-5 relative, e.g. one that drops LayerNorm's ε, passes).
    /// Central differences in double at h = 1e-6 err by h²|f‴|/6 ≈ 1e-13 plus the loss's rounding over 2h: at most about
    /// 100 ε·|L| / h ≈ 2e-8 for these models (measured worst over the gradient tests: 2e-9 absolute). That term grows with
    /// |L|, so a check at these tolerances needs a loss of order 1: single layers on inputs in (−1, 1) give one; a deep random
    /// architecture needs a target near its output (RandomArchitectureGradientTests: independent targets once gave L ≈ 1254
    /// and rounding errors of 6.5e-7).
    /// </summary>
    public static readonly GradientCheckOptions Strict = new() { AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    public static void Passes(Sequential<double> model, Random random, int batch, double[]? input = null)
    {
        input ??= TestData.Uniform(random, batch * model.InputSize);
        double[] target = TestData.Uniform(random, batch * model.OutputSize);
        GradientCheckResult result = GradientCheck.Check(model, input, batch, new MseLoss<double>(), target, Strict);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(input.Length + model.Parameters.Length, result.CheckedElements);
    }
}
