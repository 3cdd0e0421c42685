using System.Text.Json;
using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// Trajectories of PyTorch 1.13's optimizers in float64, written by Fixtures/make_optimizer_fixtures.py (run once,
/// output committed): every step's parameters must match to 1e-10 relative.
/// </summary>
public class OptimizerFixtureTests
{
    private const double Rtol = 1e-10, Atol = 1e-14;

    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("optimizer_fixtures.json", "FastNN optimizer fixtures", version: 1));

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    [Theory]
    [InlineData("SGD")]
    [InlineData("RMSprop")]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    public void TrajectoryMatchesPyTorch(string name)
    {
        JsonElement root = Fixture.Value;
        JsonElement fixtureCase = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("optimizer").GetString() == name);
        JsonElement h = fixtureCase.GetProperty("hyper");
        double H(string key) => h.GetProperty(key).GetDouble();
        double[] p = Doubles(root.GetProperty("initial"));
        int n = p.Length;
        Optimizer<double> optimizer = name switch
        {
            "SGD" => new Sgd<double>(n, H("lr"), H("momentum"), H("dampening"), H("nesterov") != 0, H("weight_decay")),
            "RMSprop" => new RmsProp<double>(n, H("lr"), H("alpha"), H("eps"), H("weight_decay"), H("momentum"), H("centered") != 0),
            "Adam" => new Adam<double>(n, H("lr"), H("beta1"), H("beta2"), H("eps"), H("weight_decay"), H("amsgrad") != 0),
            "AdamW" => new AdamW<double>(n, H("lr"), H("beta1"), H("beta2"), H("eps"), H("weight_decay"), H("amsgrad") != 0),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        Assert.Equal(name, optimizer.Algorithm);
        JsonElement[] grads = [.. root.GetProperty("gradients").EnumerateArray()];
        JsonElement[] trajectory = [.. fixtureCase.GetProperty("trajectory").EnumerateArray()];
        Assert.Equal(20, trajectory.Length);
        for (int t = 0; t < trajectory.Length; t++)
        {
            optimizer.Step(p, Doubles(grads[t]));
            TestData.AssertClose(Doubles(trajectory[t]), p, Rtol, Atol, $"{name} step {t + 1}");
        }
    }
}
