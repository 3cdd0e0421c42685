using System.Text.Json;
using FastNN.Models;

namespace FastNN.Tests.Layers;

/// <summary>
/// PyTorch 1.13 parity over several passes of one model (Fixtures/make_layer_sequence_fixtures.py, float64): training
/// and evaluation alternating with the batch changing, running statistics carried from pass to pass, and the
/// hyper-parameters the single-pass fixtures leave at their defaults (BatchNorm1d eps and momentum 0, 0.2-0.6 and 1,
/// LayerNorm eps, a negative LeakyReLU slope and Softplus threshold, ELU α, PReLU's initial slope). Each pass's
/// output, input gradient, parameter gradients (zeroed before it) and state after it agree within 1e-10 relative.
/// </summary>
public class LayerSequenceParityTests
{
    private const double Relative = 1e-10;
    private const double Absolute = 1e-13;

    private static readonly JsonElement Root = JsonFixture.Load("layer_sequence_fixtures.json", "fastnn-layer-sequence-fixture", 1);

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (JsonElement c in Root.GetProperty("cases").EnumerateArray())
            cases.Add(c.GetProperty("name").GetString()!);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPassMatchesPyTorch(string name)
    {
        JsonElement fixture = Root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var model = Sequential<double>.FromJson(fixture.GetProperty("model").GetRawText());
        foreach (JsonProperty p in fixture.GetProperty("parameters").EnumerateObject())
            model.SetTensor(p.Name, Values(p.Value));
        foreach (JsonProperty s in fixture.GetProperty("state").EnumerateObject())
            model.SetTensor(s.Name, Values(s.Value));
        int pass = 0;
        foreach (JsonElement step in fixture.GetProperty("passes").EnumerateArray())
        {
            model.Training = step.GetProperty("training").GetBoolean();
            int batch = step.GetProperty("batch").GetInt32();
            model.ZeroGrad();
            Close($"pass {pass} output", step.GetProperty("output"), model.Forward(Values(step.GetProperty("input")), batch));
            model.Backward(Values(step.GetProperty("output_grad")), batch);
            Close($"pass {pass} input gradient", step.GetProperty("input_grad"), model.InputGradient(batch));
            foreach (JsonProperty g in step.GetProperty("parameter_grads").EnumerateObject())
            {
                ParameterTensor t = model.ParameterTensors.Single(p => p.Name == g.Name);
                Close($"pass {pass} gradient of {g.Name}", g.Value, model.Gradients.Slice(t.Offset, t.Length));
            }
            foreach (JsonProperty s in step.GetProperty("state_after").EnumerateObject())
                Close($"pass {pass} {s.Name}", s.Value, model.Tensor(s.Name));
            pass++;
        }
        Assert.True(pass >= 2);
    }

    private static double[] Values(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(string what, JsonElement expected, ReadOnlySpan<double> actual)
    {
        double[] reference = Values(expected);
        Assert.True(reference.Length == actual.Length, $"{what}: {actual.Length} values, PyTorch {reference.Length}");
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(actual[i] - reference[i]) <= Relative * Math.Abs(reference[i]) + Absolute,
                $"{what}[{i}]: {actual[i]:R}, PyTorch {reference[i]:R}");
    }
}
