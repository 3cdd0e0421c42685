using System.Numerics;
using FastNN.Data;
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>Models and infos shared by the file tests.</summary>
internal static class IoModels
{
    /// <summary>
    /// 3 inputs → Linear(8) → BatchNorm1d → GELU → Residual(Linear, Tanh) → LayerNorm → PReLU per feature → Dropout →
    /// Linear(2): every kind of tensor, with BatchNorm's running statistics moved by three training batches.
    /// </summary>
    public static Sequential<T> Sample<T>(ulong seed = 5) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Sequential<T> model = new SequentialBuilder<T>(3).Dense(8).BatchNorm().Gelu().Residual(b => b.Dense(8).Tanh())
            .LayerNorm().PRelu(perFeature: true).Dropout(0.25).Dense(2).Build(maxBatch: 8, seed);
        T[] input = Input<T>(4, 3, seed);
        for (int i = 0; i < 3; i++)
            model.Forward(input, 4);
        model.Training = false;
        return model;
    }

    /// <summary>rows × width values in (−2, 2) from a seeded generator.</summary>
    public static T[] Input<T>(int rows, int width, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new FastNN.Layers.FastRandom(seed + 1000);
        return Enumerable.Range(0, rows * width).Select(_ => T.CreateTruncating(random.NextDouble(-2, 2))).ToArray();
    }

    /// <summary>A two-class classifier's info for <see cref="Sample{T}"/>.</summary>
    public static ModelInfo Info => new()
    {
        Task = TaskKind.MultiClassClassification,
        ClassLabels = ["setosa", "versicolor"],
        Input = new Standardizer([1.5, -0.25, 1e-300], [0.1, 3, 7.000000000000001]),
        FeatureNames = ["sepal length", "sepal \"width\"", "petal é"],
        TargetName = "species",
    };
}
