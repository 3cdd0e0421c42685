using FastNN.Gradients;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Gradients;
using FastNN.Tests.Layers;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Backward passes of random architectures (RandomArchitectures at widths up to 8: every layer kind, blocks nested in
/// blocks, random parameters and running statistics) against central finite differences, in training and evaluation
/// mode, at the checker's strict tolerances: every input and parameter gradient, whatever the nesting.
/// </summary>
/// <remarks>
/// The MSE target is the model's own output at the checked point plus a uniform offset in (−1, 1), so the loss is at
/// most 1 whatever the architecture: the central difference's rounding error, about ε·|L|/h, then stays under 1e-9.
/// A target drawn independently of the output left the loss free to reach 10³ (a LogSoftmax after a residual sum
/// gives log-probabilities near −50), where that error alone is 10⁻⁷ a unit in the last place of L, and over the
/// strict atol of 1e-7; the analytic gradient is a vector–Jacobian product with a random vector either way.
/// </remarks>
public class RandomArchitectureGradientTests
{
    [Property(MaxTest = 40, EndSize = 1 << 30)]
    public void EveryGradientMatchesFiniteDifferences(int seed) => Check(seed);

    /// <summary>A CI draw whose target far from the output made L = 1253.9 and the differences' rounding 6.5e-7.</summary>
    [Fact]
    public void EveryGradientMatchesFiniteDifferencesAtALargeLossDraw() => Check(50255131);

    private static void Check(int seed)
    {
        var random = new Random(seed);
        int batch = 2 + random.Next(5);
        var model = new Sequential<double>(RandomArchitectures.Layers<double>(random, 1 + random.Next(8), maxWidth: 8), batch, (ulong)seed);
        TestData.Randomize(model, random);
        model.Training = random.Next(2) == 0;
        double[] x = TestData.Uniform(random, batch * model.InputSize, 2);
        double[] target = TestData.Uniform(random, batch * model.OutputSize);
        double[] output = OutputLeavingModelAsFound(model, x, batch);
        for (int i = 0; i < target.Length; i++)
            target[i] += output[i];
        GradientCheckResult result = GradientCheck.Check(model, x, batch, new MseLoss<double>(), target, Checks.Strict);
        Assert.True(result.Passed, $"seed {seed}, {(model.Training ? "training" : "evaluation")}: {result}\n{model.ToJson()}");
    }

    /// <summary>The output at <paramref name="x"/> as the check's evaluations see it: same dropout mask, running statistics not moved.</summary>
    private static double[] OutputLeavingModelAsFound(Sequential<double> model, double[] x, int batch)
    {
        var random = model.Random.State;
        double[] state = model.State.ToArray();
        double[] output = model.Forward(x, batch).ToArray();
        model.Random.Restore(random);
        state.CopyTo(model.State);
        return output;
    }
}
