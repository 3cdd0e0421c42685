using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Layers;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

public class JsonPropertyTests
{
    /// <summary>A random stack of 1..6 layers of every kind, nested blocks included.</summary>
    private static List<ILayer<float>> RandomLayers(Random random, int width, int depth)
    {
        var layers = new List<ILayer<float>>();
        int count = 1 + random.Next(depth == 0 ? 6 : 3);
        for (int j = 0; j < count; j++)
        {
            ILayer<float> layer = random.Next(depth == 0 ? 19 : 17) switch
            {
                0 => new Dense<float>(width, 1 + random.Next(16), bias: random.Next(2) == 0),
                1 => new BatchNorm1d<float>(width, eps: 1e-5 * (1 + random.Next(3)), momentum: 0.1 * (1 + random.Next(3))),
                2 => new LayerNorm<float>(width, eps: 1e-5 * (1 + random.Next(3))),
                3 => new Dropout<float>(width, random.Next(10) / 10.0),
                4 => new Sigmoid<float>(width),
                5 => new Tanh<float>(width),
                6 => new Relu<float>(width),
                7 => new LeakyRelu<float>(width, random.Next(5) / 20.0),
                8 => new Elu<float>(width, 0.5 + random.Next(3)),
                9 => new Gelu<float>(width, random.Next(2) == 0),
                10 => new Silu<float>(width),
                11 => new Softplus<float>(width, 1 + random.Next(3), 10 + random.Next(20)),
                12 => new PRelu<float>(width, random.Next(2) == 0 ? 1 : width, 0.1 * (1 + random.Next(4))),
                13 => new Softmax<float>(width),
                14 => new LogSoftmax<float>(width),
                15 or 16 => new Dense<float>(width, width),
                17 => new Residual<float>(RandomLayers(random, width, depth + 1)),
                _ => new Concat<float>(RandomLayers(random, width, depth + 1)),
            };
            layers.Add(layer);
            width = layer.OutputSize;
        }
        return layers;
    }

    [Property(MaxTest = 100)]
    public void AnyArchitectureRoundTripsThroughJson(byte w, int seed)
    {
        var random = new Random(seed);
        var model = new Sequential<float>(RandomLayers(random, TestData.Width(w), 0), 1 + random.Next(64), seed: (ulong)seed);
        string json = model.ToJson();
        var copy = Sequential<float>.FromJson(json, seed: (ulong)seed);
        Assert.Equal(json, copy.ToJson());
        Assert.Equal(model.MaxBatch, copy.MaxBatch);
        Assert.Equal(model.ParameterTensors.Select(p => $"{p.Name} {p.Offset} {string.Join("x", p.Shape)} {p.Kind}"),
            copy.ParameterTensors.Select(p => $"{p.Name} {p.Offset} {string.Join("x", p.Shape)} {p.Kind}"));
        Assert.Equal(model.StateTensors.Select(s => $"{s.Name} {s.Offset} {string.Join("x", s.Shape)}"),
            copy.StateTensors.Select(s => $"{s.Name} {s.Offset} {string.Join("x", s.Shape)}"));
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray()); // same seed, same initialization
        Assert.Equal(model.State.ToArray(), copy.State.ToArray());
    }
}
