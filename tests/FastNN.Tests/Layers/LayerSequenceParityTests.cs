using System.Numerics;
using System.Text.Json;
using FastNN.Models;

namespace FastNN.Tests.Layers;

/// <summary>
/// PyTorch 1.13 parity over several passes of one model (Fixtures/make_layer_sequence_fixtures.py): training
/// and evaluation alternating with the batch changing, running statistics carried from pass to pass, and the
/// hyper-parameters the single-pass fixtures leave at their defaults (BatchNorm1d eps and momentum 0, 0.2-0.6 and 1,
/// LayerNorm eps, a negative LeakyReLU slope and Softplus threshold, ELU α, PReLU's initial slope). Each pass's
/// output, input gradient, parameter gradients (zeroed before it) and state after it agree within 1e-10 relative in
/// double; the float model against PyTorch's float32 run of the same cases and a few more (BatchNorm1d with ε = 0 over
/// 33 rows, LayerNorm over 17 and 34 features, blocks nested three deep), within 1e-5 relative.
/// </summary>
public class LayerSequenceParityTests
{
    private const double Relative = 1e-10;
    private const double Absolute = 1e-13;

    // float: each side rounds at u = 2⁻²⁴ ≈ 6e-8 per operation, PyTorch summing some statistics in double, and a batch
    // normalization's input gradient cancels terms of order |dy|·γ·rstd to leave values near 0. Measured worst: 2.4e-7
    // on values near 0.07 (3.4e-6 relative), 1.1e-7 where the exact value is 0 (a Linear's bias gradient before a BatchNorm).
    private const double FloatRelative = 1e-5;
    private const double FloatAbsolute = 1e-6;

    private static readonly JsonElement Root = JsonFixture.Load("layer_sequence_fixtures.json", "fastnn-layer-sequence-fixture", 1);
    private static readonly JsonElement FloatRoot = JsonFixture.Load("layer_sequence_float32_fixtures.json", "fastnn-layer-sequence-fixture", 1);

    public static TheoryData<string> Cases() => Names(Root);

    public static TheoryData<string> FloatCases() => Names(FloatRoot);

    private static TheoryData<string> Names(JsonElement root)
    {
        var cases = new TheoryData<string>();
        foreach (JsonElement c in root.GetProperty("cases").EnumerateArray())
            cases.Add(c.GetProperty("name").GetString()!);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPassMatchesPyTorch(string name) => Run<double>(Root, name, Relative, Absolute);

    [Theory]
    [MemberData(nameof(FloatCases))]
    public void EveryPassMatchesPyTorchInFloat32(string name) => Run<float>(FloatRoot, name, FloatRelative, FloatAbsolute);

    private static void Run<T>(JsonElement root, string name, double relative, double absolute) where T : unmanaged, IFloatingPointIeee754<T>
    {
        JsonElement fixture = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var model = Sequential<T>.FromJson(fixture.GetProperty("model").GetRawText());
        foreach (JsonProperty p in fixture.GetProperty("parameters").EnumerateObject())
            model.SetTensor(p.Name, Values<T>(p.Value));
        foreach (JsonProperty s in fixture.GetProperty("state").EnumerateObject())
            model.SetTensor(s.Name, Values<T>(s.Value));
        int pass = 0;
        foreach (JsonElement step in fixture.GetProperty("passes").EnumerateArray())
        {
            model.Training = step.GetProperty("training").GetBoolean();
            int batch = step.GetProperty("batch").GetInt32();
            model.ZeroGrad();
            Close($"pass {pass} output", step.GetProperty("output"), model.Forward(Values<T>(step.GetProperty("input")), batch), relative, absolute);
            model.Backward(Values<T>(step.GetProperty("output_grad")), batch);
            Close($"pass {pass} input gradient", step.GetProperty("input_grad"), model.InputGradient(batch), relative, absolute);
            foreach (JsonProperty g in step.GetProperty("parameter_grads").EnumerateObject())
            {
                ParameterTensor t = model.ParameterTensors.Single(p => p.Name == g.Name);
                Close($"pass {pass} gradient of {g.Name}", g.Value, model.Gradients.Slice(t.Offset, t.Length), relative, absolute);
            }
            foreach (JsonProperty s in step.GetProperty("state_after").EnumerateObject())
                Close($"pass {pass} {s.Name}", s.Value, model.Tensor(s.Name), relative, absolute);
            pass++;
        }
        Assert.True(pass >= 2);
    }

    // A float fixture holds each value's shortest float32 decimal, read as float (as double and then rounded, a decimal
    // next to a midpoint could round twice).
    private static T[] Values<T>(JsonElement e) where T : unmanaged, IFloatingPointIeee754<T> =>
        e.EnumerateArray().Select(v => typeof(T) == typeof(float) ? T.CreateTruncating(v.GetSingle()) : T.CreateTruncating(v.GetDouble())).ToArray();

    private static void Close<T>(string what, JsonElement expected, ReadOnlySpan<T> actual, double relative, double absolute)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] reference = Values<T>(expected);
        Assert.True(reference.Length == actual.Length, $"{what}: {actual.Length} values, PyTorch {reference.Length}");
        for (int i = 0; i < reference.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]), r = double.CreateTruncating(reference[i]);
            Assert.True(Math.Abs(a - r) <= relative * Math.Abs(r) + absolute, $"{what}[{i}]: {a:R}, PyTorch {r:R}");
        }
    }
}
