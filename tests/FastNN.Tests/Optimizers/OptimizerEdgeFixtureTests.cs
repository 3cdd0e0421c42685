using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// Trajectories of PyTorch 1.13's optimizers at hyper-parameter edges, in float32 and float64, written by
/// Fixtures/make_optimizer_edge_fixtures.py (run once, output committed): lr 0, betas 0 and near 1, eps 0, coupled and
/// decoupled decay, AMSGrad, dampening, Nesterov, RMSprop's α = 0 and centering, a state resumed at step 2^24, and
/// NaN/±∞ gradients (NaN and infinities must land where PyTorch's do); every step's parameters and the final state.
/// </summary>
public class OptimizerEdgeFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("optimizer_edge_fixtures.json", "FastNN optimizer edge fixtures", version: 1));

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Fixture.Value.GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryMatchesPyTorch(int index)
    {
        JsonElement fixtureCase = Fixture.Value.GetProperty("cases")[index];
        if (fixtureCase.GetProperty("dtype").GetString() == "float32")
            Run<float>(fixtureCase, rtol: 1e-5, atol: 1e-6);
        else
            Run<double>(fixtureCase, rtol: 1e-10, atol: 1e-13);
    }

    private static void Run<T>(JsonElement fixtureCase, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        JsonElement root = Fixture.Value;
        JsonElement h = fixtureCase.GetProperty("hyper");
        double H(string key) => h.GetProperty(key).GetDouble();
        string name = fixtureCase.GetProperty("optimizer").GetString()!;
        T[] p = Values<T>(root.GetProperty("initial"));
        int n = p.Length;
        Optimizer<T> optimizer = name switch
        {
            "SGD" => new Sgd<T>(n, H("lr"), H("momentum"), H("dampening"), H("nesterov") != 0, H("weight_decay")),
            "RMSprop" => new RmsProp<T>(n, H("lr"), H("alpha"), H("eps"), H("weight_decay"), H("momentum"), H("centered") != 0),
            "Adam" => new Adam<T>(n, H("lr"), H("beta1"), H("beta2"), H("eps"), H("weight_decay"), H("amsgrad") != 0),
            "AdamW" => new AdamW<T>(n, H("lr"), H("beta1"), H("beta2"), H("eps"), H("weight_decay"), H("amsgrad") != 0),
            _ => throw new ArgumentOutOfRangeException(nameof(fixtureCase), name),
        };
        string what = $"{name} {fixtureCase.GetProperty("dtype").GetString()} {h}";
        if (fixtureCase.TryGetProperty("start_step", out JsonElement start))
        {
            // A state resumed far into a run: PyTorch's step counter set to 2^24, the moments given.
            var buffers = optimizer.SaveState().Buffers.ToDictionary(b => b.Key, b => Values<T>(fixtureCase.GetProperty(b.Key)));
            optimizer.LoadState(optimizer.SaveState() with { StepCount = start.GetInt64(), Buffers = buffers });
        }
        bool nonFinite = fixtureCase.GetProperty("non_finite").GetBoolean();
        JsonElement[] grads = [.. root.GetProperty(nonFinite ? "bad_gradients" : "gradients").EnumerateArray()];
        JsonElement[] trajectory = [.. fixtureCase.GetProperty("trajectory").EnumerateArray()];
        for (int t = 0; t < trajectory.Length; t++)
        {
            optimizer.Step(p, Values<T>(grads[t]));
            AssertClose(Values<double>(trajectory[t]), p, rtol, atol, $"{what} step {t + 1}");
        }
        // The state too, which a step's θ may not show (a NaN gradient's effect on AMSGrad's maximum, say).
        IReadOnlyDictionary<string, T[]> state = optimizer.SaveState().Buffers;
        JsonElement finalState = fixtureCase.GetProperty("final_state");
        Assert.Equal(finalState.EnumerateObject().Select(b => b.Name).Order(), state.Keys.Order());
        foreach (JsonProperty buffer in finalState.EnumerateObject())
            AssertClose(Values<double>(buffer.Value), state[buffer.Name], rtol, atol, $"{what} final {buffer.Name}");
    }

    // NaN and ±∞ where PyTorch has them and nowhere else; the finite values within |a − r| ≤ atol·s + rtol·|r|, s the
    // largest finite |r| of the buffer (a value that cancels to near 0 keeps the rounding of the larger ones it came from).
    private static void AssertClose<T>(double[] expected, T[] values, double rtol, double atol, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] actual = [.. values.Select(double.CreateTruncating)];
        for (int i = 0; i < actual.Length; i++)
        {
            if (!double.IsFinite(expected[i]) || !double.IsFinite(actual[i]))
            {
                Assert.True(expected[i].Equals(actual[i]), $"{what}: element {i} is {actual[i]}, expected {expected[i]}.");
                expected[i] = actual[i] = 0;
            }
        }
        TestData.AssertClose(expected, actual, rtol, atol * expected.Max(Math.Abs), what);
    }

    // Numbers, or "nan", "inf", "-inf" as strings (JSON has no non-finite numbers).
    private static TValue[] Values<TValue>(JsonElement array) where TValue : IFloatingPointIeee754<TValue> =>
        [.. array.EnumerateArray().Select(e => TValue.CreateTruncating(e.ValueKind == JsonValueKind.String
            ? double.Parse(e.GetString()!.Replace("inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture)
            : e.GetDouble()))];
}
