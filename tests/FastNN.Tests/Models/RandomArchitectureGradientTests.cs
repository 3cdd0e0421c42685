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
public class RandomArchitectureGradientTests
{
    [Property(MaxTest = 40, EndSize = 1 << 30)]
    public void EveryGradientMatchesFiniteDifferences(int seed)
    {
        var random = new Random(seed);
        int batch = 2 + random.Next(5);
        var model = new Sequential<double>(RandomArchitectures.Layers<double>(random, 1 + random.Next(8), maxWidth: 8), batch, (ulong)seed);
        TestData.Randomize(model, random);
        model.Training = random.Next(2) == 0;
        double[] x = TestData.Uniform(random, batch * model.InputSize, 2);
        double[] target = TestData.Uniform(random, batch * model.OutputSize);
        GradientCheckResult result = GradientCheck.Check(model, x, batch, new MseLoss<double>(), target, Checks.Strict);
        Assert.True(result.Passed, $"seed {seed}, {(model.Training ? "training" : "evaluation")}: {result}\n{model.ToJson()}");
    }
}
