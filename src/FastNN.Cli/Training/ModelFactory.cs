using System.Numerics;
using FastNN.Models;

namespace FastNN.Cli.Training;

/// <summary>Builds the network that <see cref="ModelSettings"/> describe.</summary>
internal static class ModelFactory
{
    public static readonly string[] InitNames = ["default", "xavier", "he"];

    /// <summary>
    /// inputs → for each hidden width: Dense, [BatchNorm1d], [LayerNorm], activation, [Dropout] (each block inside a
    /// Residual when asked, projected where the width changes) → Dense(outputs); then the chosen initialization.
    /// </summary>
    public static Sequential<T> Build<T>(ModelSettings settings, int inputs, int outputs, int maxBatch, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var builder = new SequentialBuilder<T>(inputs);
        foreach (int width in settings.Layers)
        {
            if (settings.Residual)
                builder.Residual(block => Hidden(block, width, settings));
            else
                Hidden(builder, width, settings);
        }
        Sequential<T> model = Build(builder.Dense(outputs), settings, maxBatch, seed);
        Initialize(model, settings, seed);
        return model;
    }

    // The widths are the user's: a network whose parameters or working memory cannot be held is a usage error.
    private static Sequential<T> Build<T>(SequentialBuilder<T> builder, ModelSettings settings, int maxBatch, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            return builder.Build(maxBatch, (ulong)seed);
        }
        // The library names "layers" for tensors more than one buffer holds (the built-in layers declare no other fault), "maxBatch" for working memory.
        catch (Exception e) when (e is OverflowException or OutOfMemoryException || e is ArgumentException { ParamName: "maxBatch" or "layers" })
        {
            throw new UsageException($"the network of {Counted.Of(settings.Layers.Length, "hidden layer")} up to {settings.Layers.DefaultIfEmpty(0).Max()} wide is too large to build "
                + $"(its parameters, or its working memory for {Counted.Of(maxBatch, "row")}, do not fit in memory); give fewer or narrower hidden layers.");
        }
    }

    /// <summary>Re-draws the weights as <see cref="ModelSettings.Init"/> says (the model's constructor already drew PyTorch's default).</summary>
    public static void Initialize<T>(Sequential<T> model, ModelSettings settings, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        WeightInit? scheme = settings.Init switch
        {
            "default" => null,
            "xavier" => WeightInit.GlorotUniform,
            "he" => WeightInit.HeNormal,
            _ => throw new UsageException($"--init: unknown initialization '{settings.Init}'; expected {string.Join(", ", InitNames)}."),
        };
        if (scheme is not { } chosen)
            return;
        // A linear model has no activation: its one layer takes gain 1.
        (Nonlinearity nonlinearity, double slope) = settings.Layers.Length == 0 ? (Nonlinearity.Linear, 0) : Activations.Gain(settings.Activation);
        Init.Parameters(model.Parameters, model.ParameterTensors, seed, chosen, nonlinearity, slope);
    }

    private static void Hidden<T>(SequentialBuilder<T> builder, int width, ModelSettings settings) where T : unmanaged, IFloatingPointIeee754<T>
    {
        builder.Dense(width);
        if (settings.BatchNorm)
            builder.BatchNorm();
        if (settings.LayerNorm)
            builder.LayerNorm();
        Activations.Add(builder, settings.Activation);
        if (settings.Dropout > 0)
            builder.Dropout(settings.Dropout);
    }
}
