using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Layers;

namespace FastNN.Tests.Models;

/// <summary>
/// The float model computes what the double model computes, on the same weights, inputs and dropout mask: every
/// output, input gradient and parameter gradient within 2e-5 of the tensor's largest magnitude (measured worst over
/// 20 seeds: 2.6e-6; float rounds at about 6e-8 per operation, compounded over 18 layers with normalizations).
/// </summary>
public class FloatDoubleAgreementTests
{
    private const double Tolerance = 2e-5;

    [Fact]
    public void FloatAgreesWithDoubleOnEveryLayerType()
    {
        const string json = """
            {"format":"fastnn.sequential","version":1,"input_size":6,"max_batch":8,"layers":[
              {"type":"Linear","out_features":12,"bias":false},{"type":"BatchNorm1d"},{"type":"ReLU"},
              {"type":"Residual","body":[{"type":"Linear","out_features":12},{"type":"LayerNorm"},{"type":"GELU"}]},
              {"type":"Concat","body":[{"type":"Linear","out_features":4},{"type":"SiLU"}]},
              {"type":"Residual","body":[{"type":"Linear","out_features":10},{"type":"Tanh"}]},
              {"type":"PReLU","num_parameters":10},{"type":"ELU"},{"type":"Dropout","p":0.3},
              {"type":"Linear","out_features":8},{"type":"LeakyReLU"},{"type":"Softplus"},{"type":"Sigmoid"},
              {"type":"Linear","out_features":6},{"type":"GELU","approximate":"tanh"},{"type":"Linear","out_features":5},
              {"type":"LogSoftmax"},{"type":"Softmax"}]}
            """;
        var random = new Random(8);
        var reference = Sequential<double>.FromJson(json, seed: 3);
        TestData.Randomize(reference, random);
        var model = Sequential<float>.FromJson(json, seed: 3);
        Convert(reference.Parameters, model.Parameters);
        Convert(reference.State, model.State);

        double[] x = TestData.Uniform(random, 8 * 6, 2);
        double[] target = TestData.Uniform(random, 8 * 5);
        double[] y = reference.Forward(x, 8).ToArray();
        float[] yF = model.Forward(x.Select(v => (float)v).ToArray(), 8).ToArray();
        Close("output", y, yF);

        double[] dy = new double[y.Length];
        float[] dyF = new float[y.Length];
        new MseLoss<double>().Compute(y, target, dy, 8);
        new MseLoss<float>().Compute(yF, target.Select(v => (float)v).ToArray(), dyF, 8);
        reference.Backward(dy, 8);
        model.Backward(dyF, 8);
        Close("input gradient", reference.InputGradient(8).ToArray(), model.InputGradient(8).ToArray());
        foreach (ParameterTensor p in reference.ParameterTensors)
            Close(p.Name, reference.Gradients.Slice(p.Offset, p.Length).ToArray(), model.Gradients.Slice(p.Offset, p.Length).ToArray());
        Close("state", reference.State.ToArray(), model.State.ToArray());
    }

    private static void Convert(Span<double> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = (float)source[i];
    }

    private static void Close(string tensor, double[] expected, float[] actual)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0, $"{tensor} is all zeros: the comparison would prove nothing");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= Tolerance * scale,
                $"{tensor}[{i}]: float {actual[i]:R}, double {expected[i]:R}, scale {scale:R}");
    }
}
