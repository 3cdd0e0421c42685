using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Models;

/// <summary>
/// Random architectures for the differential properties: 1 to 5 layers at the top, 1 to 3 in a block, blocks nested two
/// deep; Dense of 1 to 40 outputs (with and without bias), every activation kind with random settings, Dropout,
/// BatchNorm1d, LayerNorm, Residual (with and without a projection) and Concat. The same seed gives the same
/// architecture for float and double.
/// </summary>
internal static class RandomArchitectures
{
    /// <summary>Largest batch of the properties: past the GEMM's small-problem, dot-product and packed cut-offs.</summary>
    public const int MaxBatch = 70;

    public static List<ILayer<T>> Layers<T>(Random random, int width, int nesting = 0, int maxWidth = 40) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layers = new List<ILayer<T>>();
        int count = 1 + random.Next(nesting == 0 ? 5 : 3);
        for (int j = 0; j < count; j++)
        {
            int kind = random.Next(nesting < 2 ? 21 : 19);
            ILayer<T> layer = kind switch
            {
                0 or 1 or 2 => new Dense<T>(width, 1 + random.Next(maxWidth), bias: random.Next(4) != 0),
                3 => new BatchNorm1d<T>(width, eps: 1e-5 * (1 + random.Next(3)), momentum: 0.1 + 0.8 * random.NextDouble()),
                4 => new LayerNorm<T>(width, eps: 1e-5 * (1 + random.Next(3))),
                5 => new Dropout<T>(width, random.Next(10) / 10.0),
                6 => new Sigmoid<T>(width),
                7 => new Tanh<T>(width),
                8 => new Relu<T>(width),
                9 => new LeakyRelu<T>(width, random.Next(5) / 20.0),
                10 => new Elu<T>(width, 0.5 + random.Next(3)),
                11 => new Gelu<T>(width, tanhApproximation: false),
                12 => new Gelu<T>(width, tanhApproximation: true),
                13 => new Silu<T>(width),
                14 => new Softplus<T>(width, 0.5 + random.Next(3), 5 + random.Next(20)),
                15 => new PRelu<T>(width, random.Next(2) == 0 ? 1 : width, 0.1 * (1 + random.Next(4))),
                16 => new Softmax<T>(width),
                17 => new LogSoftmax<T>(width),
                18 => new Dense<T>(width, width),
                19 => new Residual<T>(Layers<T>(random, width, nesting + 1, maxWidth)),
                _ => new Concat<T>(Layers<T>(random, width, nesting + 1, maxWidth)),
            };
            layers.Add(layer);
            width = layer.OutputSize;
        }
        return layers;
    }

    /// <summary>
    /// A model of a random architecture on 1 to 40 inputs, as training leaves one: three training-mode passes on random
    /// batches (running statistics away from 0 and 1), then every parameter moved from its initial value (normalization
    /// scales and shifts, PReLU slopes).
    /// </summary>
    public static Sequential<T> Trained<T>(int seed, int maxBatch = MaxBatch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        Sequential<T> model = Fresh<T>(random, maxBatch, (ulong)seed);
        for (int pass = 0; pass < 3; pass++)
        {
            int batch = 2 + random.Next(Math.Min(maxBatch, 20) - 1);
            model.Forward(Input<T>(random, batch, model.InputSize, shift: pass), batch);
        }
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += T.CreateTruncating(0.1 * (2 * random.NextDouble() - 1));
        model.Training = false;
        return model;
    }

    /// <summary>A model of a random architecture on 1 to 40 inputs, as built (initialized from <paramref name="seed"/>).</summary>
    public static Sequential<T> Fresh<T>(Random random, int maxBatch, ulong seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Layers<T>(random, 1 + random.Next(40)), maxBatch, seed);

    /// <summary>Rows of values uniform in (shift − 2, shift + 2).</summary>
    public static T[] Input<T>(Random random, int rows, int width, double shift = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[rows * width];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(shift + 4 * random.NextDouble() - 2);
        return x;
    }
}
