using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Layers;

namespace FastNN.Tests.Models;

public class SequentialTests
{
    [Fact]
    public void AWidthMismatchNamesBothLayersAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new Sequential<float>([new Dense<float>(4, 8), new LayerNorm<float>(8), new Dense<float>(6, 2)], 16));
        Assert.Contains("Layer 2 (Dense) expects input [batch, 6]", e.Message);
        Assert.Contains("layer 1 (LayerNorm) outputs [batch, 8]", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AResidualBodyMismatchNamesTheInnerLayer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Residual<float>(new Dense<float>(4, 8), new Dense<float>(7, 4)));
        Assert.Contains("residual body layer 1 (Dense) expects input [batch, 7]", e.Message);
    }

    [Fact]
    public void ForwardAndBackwardCheckTheirArguments()
    {
        var model = new Sequential<float>([new Dense<float>(3, 2)], maxBatch: 4);
        var e = Assert.Throws<ArgumentException>(() => { model.Forward(new float[7], 2); });
        Assert.Contains("Layer 0 expects input [2, 3] (6 elements) but got 7", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { model.Forward(new float[15], 5); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { model.Forward([], 0); });
        model.Forward(new float[6], 2);
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[2], 1));
        var g = Assert.Throws<ArgumentException>(() => model.Backward(new float[3], 2));
        Assert.Contains("[2, 2]", g.Message);
    }

    [Fact]
    public void ASmallerBatchGivesTheSameRows()
    {
        var random = new Random(4);
        var model = TestData.Model(random, 6, new Dense<double>(5, 7), new LayerNorm<double>(7), new Residual<double>(new Dense<double>(7, 7)),
            new BatchNorm1d<double>(7), new Dense<double>(7, 3));
        model.Training = false; // batch statistics would couple the rows
        double[] x = TestData.Uniform(random, 6 * 5);
        double[] full = model.Forward(x, 6).ToArray();
        double[] part = model.Forward(x.AsSpan(0, 3 * 5), 3).ToArray();
        Assert.Equal(full.AsSpan(0, 9).ToArray(), part);
    }

    public static TheoryData<string> FirstLayers() =>
    [
        "Dense", "BatchNorm1d", "LayerNorm", "Dropout", "Residual", "ResidualProjection", "Concat", "Sigmoid", "Tanh", "ReLU",
        "LeakyReLU", "ELU", "GELU", "GELU tanh", "SiLU", "Softplus", "PReLU", "PReLU per feature", "Softmax", "LogSoftmax",
    ];

    internal static ILayer<double> FirstLayer(string name) => name switch
    {
        "Dense" => new Dense<double>(4, 4),
        "BatchNorm1d" => new BatchNorm1d<double>(4),
        "LayerNorm" => new LayerNorm<double>(4),
        "Dropout" => new Dropout<double>(4, 0.4),
        "Residual" => new Residual<double>(new Dense<double>(4, 4)),
        "ResidualProjection" => new Residual<double>(new Dense<double>(4, 3), new Dense<double>(3, 4, bias: false), new Dense<double>(4, 5)),
        "Concat" => new Concat<double>(new Dense<double>(4, 2)),
        "Sigmoid" => new Sigmoid<double>(4),
        "Tanh" => new Tanh<double>(4),
        "ReLU" => new Relu<double>(4),
        "LeakyReLU" => new LeakyRelu<double>(4),
        "ELU" => new Elu<double>(4),
        "GELU" => new Gelu<double>(4),
        "GELU tanh" => new Gelu<double>(4, tanhApproximation: true),
        "SiLU" => new Silu<double>(4),
        "Softplus" => new Softplus<double>(4),
        "PReLU" => new PRelu<double>(4),
        "PReLU per feature" => new PRelu<double>(4, 4),
        "Softmax" => new Softmax<double>(4),
        "LogSoftmax" => new LogSoftmax<double>(4),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(FirstLayers))]
    public void SkippingTheInputGradientLeavesParameterGradientsUnchanged(string first) => SkipsInputGradient(FirstLayer(first));

    internal static void SkipsInputGradient(ILayer<double> first)
    {
        var random = new Random(6);
        var model = TestData.Model(random, 3, first, new Dense<double>(first.OutputSize, 2));
        double[] x = TestData.Uniform(random, 3 * 4), dy = TestData.Uniform(random, 3 * 2);
        var state = model.Random.State;
        model.Forward(x, 3);
        model.Backward(dy, 3);
        double[] expected = model.Gradients.ToArray();
        Assert.Equal(3 * 4, model.InputGradient(3).Length);

        model.ZeroGrad();
        model.ComputeInputGradient = false;
        model.Random.Restore(state);
        model.Forward(x, 3);
        model.Backward(dy, 3);
        Assert.Equal(expected, model.Gradients.ToArray());
        Assert.Throws<InvalidOperationException>(() => { model.InputGradient(3); });
    }

    [Fact]
    public void SetTensorWritesANamedParameterOrStateTensorOfExactlyItsLength()
    {
        Sequential<double> model = new SequentialBuilder<double>(3).Dense(4).BatchNorm().Build(maxBatch: 2);
        double[] weight = Enumerable.Range(1, 12).Select(i => i / 10.0).ToArray();
        model.SetTensor("0.weight", weight);
        model.SetTensor("1.running_var", [5, 6, 7, 8]);
        Assert.Equal(weight, model.Tensor("0.weight").ToArray());
        Assert.Equal(weight, model.Parameter("0.weight").ToArray());
        Assert.Equal([5, 6, 7, 8], model.Tensor("1.running_var").ToArray());
        Assert.Equal([5, 6, 7, 8], model.State.Slice(model.StateTensors[1].Offset, 4).ToArray());
        Assert.True(model.StateTensors.Single(s => s.Name == "1.num_batches_tracked").IsInteger);
        Assert.False(model.StateTensors.Single(s => s.Name == "1.running_mean").IsInteger);
    }

    [Fact]
    public void SetTensorRejectsAWrongLengthOrNameAndLeavesTheModelUnchanged()
    {
        Sequential<double> model = new SequentialBuilder<double>(8).Dense(4).Build(maxBatch: 2);
        double[] before = model.Parameters.ToArray();
        var tooShort = Assert.Throws<ArgumentException>(() => model.SetTensor("0.weight", [1, 2, 3]));
        Assert.Equal("values", tooShort.ParamName);
        Assert.Contains("'0.weight' has shape [4, 8] (32 elements) but 3 values", tooShort.Message);
        Assert.Throws<ArgumentException>(() => model.SetTensor("0.weight", new double[33]));
        var unknown = Assert.Throws<ArgumentException>(() => model.SetTensor("0.wieght", new double[32]));
        Assert.Contains("0.weight, 0.bias", unknown.Message);
        Assert.Throws<ArgumentException>(() => model.Tensor("1.weight"));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void ANullNameIsAnArgumentNullExceptionInEveryTensorAccessor()
    {
        // Parameter(null) said "The model has no parameter tensor ''", as if an empty name had been given.
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(2).Build(maxBatch: 1);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => model.Parameter(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => model.Tensor(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => model.SetTensor(null!, new float[4])).ParamName);
    }

    [Fact]
    public void JsonRoundTripsTheArchitecture()
    {
        var model = new Sequential<float>(
        [
            new Dense<float>(4, 8), new BatchNorm1d<float>(8, eps: 1e-3, momentum: 0.2), new LayerNorm<float>(8),
            new Residual<float>(new Dense<float>(8, 6), new Dropout<float>(6, 0.25)),
            new Concat<float>(new Dense<float>(6, 2, bias: false)), new Dense<float>(8, 3),
        ], maxBatch: 32);
        string json = model.ToJson();
        var copy = Sequential<float>.FromJson(json);
        Assert.Equal(json, copy.ToJson());
        Assert.Equal(32, copy.MaxBatch);
        Assert.Equal(model.ParameterTensors.Select(p => (p.Name, p.Offset, string.Join(",", p.Shape), p.Kind)),
            copy.ParameterTensors.Select(p => (p.Name, p.Offset, string.Join(",", p.Shape), p.Kind)));
        Assert.Equal(model.StateTensors.Select(s => s.Name), copy.StateTensors.Select(s => s.Name));
        Assert.Contains("\"type\":\"BatchNorm1d\",\"num_features\":8,\"eps\":0.001,\"momentum\":0.2", json);
        Assert.Equal(64, Sequential<float>.FromJson(json, maxBatch: 64).MaxBatch);
    }

    [Fact]
    public void TheSameSeedGivesTheSameParameters()
    {
        string json = new Sequential<float>([new Dense<float>(4, 8), new Dense<float>(8, 2)], 1).ToJson();
        Assert.Equal(Sequential<float>.FromJson(json, seed: 9).Parameters.ToArray(), Sequential<float>.FromJson(json, seed: 9).Parameters.ToArray());
        Assert.NotEqual(Sequential<float>.FromJson(json, seed: 9).Parameters.ToArray(), Sequential<float>.FromJson(json, seed: 10).Parameters.ToArray());
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"format\":\"other\",\"version\":1,\"input_size\":2,\"layers\":[]}", "$.format is 'other'")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":2,\"input_size\":2,\"layers\":[]}", "$.version is 2")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[]}", "$.layers must be a non-empty array")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Linear\",\"out_features\":3},{\"type\":\"Conv2d\"}]}", "$.layers[1].type 'Conv2d' is not a known layer type")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Linear\",\"out_features\":3},{\"type\":\"LayerNorm\",\"normalized_shape\":4}]}", "$.layers[1].normalized_shape is 4 but the previous layer outputs [batch, 3]")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Linear\",\"out_features\":\"3\"}]}", "$.layers[0].out_features must be an integer")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Dropout\",\"p\":1.5}]}", "$.layers[0]: Dropout probability")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"max_batch\":0,\"layers\":[{\"type\":\"ReLU\"}]}", "$.max_batch is 0; it must be at least 1")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":-3,\"layers\":[{\"type\":\"ReLU\"}]}", "$.input_size is -3; it must be at least 1")]
    // A field the layer does not take, misspelt or given twice: before, ignored, so the layer silently took its default
    // (Dropout p 0.5, LeakyReLU slope 0.01, a bias) or one of the two values.
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Dropout\",\"P\":0.1}]}", "$.layers[0].P is not a field of Dropout; it has type, p")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Linear\",\"out_features\":3,\"biass\":false}]}", "$.layers[0].biass is not a field of Linear")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Residual\",\"body\":[{\"type\":\"LeakyReLU\",\"negativeslope\":0.2}]}]}", "$.layers[0].body[0].negativeslope is not a field of LeakyReLU")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"ReLU\",\"inplace\":true}]}", "$.layers[0].inplace is not a field of ReLU")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"layers\":[{\"type\":\"Linear\",\"out_features\":3,\"out_features\":4}]}", "$.layers[0].out_features is given twice")]
    [InlineData("{\"format\":\"fastnn.sequential\",\"version\":1,\"input_size\":2,\"maxbatch\":64,\"layers\":[{\"type\":\"ReLU\"}]}", "$.maxbatch is not a field of a model description")]
    public void MalformedJsonSaysWhere(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => Sequential<float>.FromJson(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AUserLayerHasNoJsonDescription()
    {
        var model = new Sequential<double>([new Dense<double>(2, 2), new IdentityLayer<double>(2)], 1);
        var e = Assert.Throws<NotSupportedException>(() => model.ToJson());
        Assert.Contains("Layer 1 (IdentityLayer)", e.Message);
    }
}
