using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// A state whose on/off hyper-parameter (SGD's <c>nesterov</c>, Adam's <c>amsgrad</c>, RMSprop's <c>centered</c>, which
/// SaveState writes as 0 or 1) holds another number is refused naming it, and changes nothing. Before, any value but 0
/// read as on: a checkpoint whose <c>"nesterov":0</c> a damaged digit made 5 (or 0.5) resumed a plain-momentum run with
/// Nesterov momentum, silently another run.
/// </summary>
public class HyperParameterFlagTests
{
    private const int N = 6;

    public static TheoryData<string, string, bool, double> Cases()
    {
        var cases = new TheoryData<string, string, bool, double>();
        foreach ((string algorithm, string flag) in new[] { ("SGD", "nesterov"), ("Adam", "amsgrad"), ("RMSprop", "centered") })
        {
            foreach (bool on in new[] { false, true })
            {
                foreach (double value in new[] { 0.5, 2, 5, -1, double.NaN, double.PositiveInfinity })
                    cases.Add(algorithm, flag, on, value);
            }
        }
        return cases;
    }

    // The flag on or off, in an optimizer whose other settings allow either (SGD: momentum and no dampening).
    private static Optimizer<double> Create(string algorithm, bool on) => algorithm switch
    {
        "SGD" => new Sgd<double>(N, 0.05, momentum: 0.9, nesterov: on),
        "Adam" => new Adam<double>(N, 0.01, amsGrad: on),
        _ => new RmsProp<double>(N, 0.01, momentum: 0.5, centered: on),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AFlagOtherThanZeroOrOneIsRefusedNamingItAndChangesNothing(string algorithm, string flag, bool on, double value)
    {
        Optimizer<double> original = Create(algorithm, on);
        double[] p = [.. Enumerable.Range(0, N).Select(i => 0.1 * i - 0.2)];
        foreach (double[] g in TestData.Gradients(2, 4, N))
            original.Step(p, g);
        OptimizerState<double> saved = original.SaveState();
        Assert.Equal(on ? 1 : 0, saved.HyperParameters[flag]);
        var damaged = new Dictionary<string, double>(saved.HyperParameters) { [flag] = value };

        Optimizer<double> target = Create(algorithm, on);
        string before = Describe(target.SaveState());
        var e = Assert.ThrowsAny<ArgumentException>(() => target.LoadState(saved with { HyperParameters = damaged }));
        Assert.Contains($"'{flag}'", e.Message);
        Assert.Equal(before, Describe(target.SaveState()));
        target.LoadState(saved);
        Assert.Equal(Describe(saved), Describe(target.SaveState()));
    }

    private static string Describe(OptimizerState<double> s) =>
        $"{s.StepCount};{string.Join(",", s.HyperParameters.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:R}"))};"
        + string.Join(";", s.Buffers.OrderBy(b => b.Key).Select(b => string.Join(",", b.Value)));
}
