using System.Globalization;
using System.Numerics;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;

namespace FastNN.Cli.Training;

/// <summary>Builds the optimizer and penalties that <see cref="OptimizerSettings"/> describe.</summary>
internal static class OptimizerFactory
{
    public static readonly string[] Names = ["sgd", "rmsprop", "adam", "adamw"];

    /// <summary>The learning rate when none is given: PyTorch's defaults (1e-3 for Adam and AdamW, 1e-2 for RMSprop), and 1e-2 for SGD, which has none.</summary>
    public static double DefaultLearningRate(string optimizer) => optimizer is "adam" or "adamw" ? 1e-3 : 1e-2;

    /// <summary>The weight decay when none is given: 1e-2 for AdamW (PyTorch's default), 0 otherwise.</summary>
    public static double DefaultWeightDecay(string optimizer) => optimizer == "adamw" ? 1e-2 : 0;

    /// <summary>
    /// The optimizer over the whole model, with weight decay on weight matrices only
    /// (<see cref="ParameterGroup.DecayWeightsOnly"/>): decoupled for AdamW, coupled into the gradient for the others.
    /// </summary>
    /// <exception cref="UsageException">The learning rate, the weight decay or the momentum is not finite in
    /// <typeparamref name="T"/> (only the element type knows: 1e300 is a double rate), or the learning rate makes Adam's
    /// first step size or AdamW's decay factor not finite there, named as the command's user knows them, not by the library's parameter.</exception>
    public static Optimizer<T> Create<T>(OptimizerSettings settings, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Checked here, not left to the library's refusal in its own words: AdamW checks its decay only at the first step (in 1 − γ·λ).
        RequireFinite<T>("learning rate", settings.LearningRate);
        // A rate below T's smallest subnormal rounds to 0, which trains nothing, as the --lr 0 every command refuses.
        if (T.CreateTruncating(settings.LearningRate) == T.Zero)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"the learning rate {settings.LearningRate} rounds to 0 in {TypeName<T>()}, the element type of the model it trains, and would train nothing."));
        }
        RequireFinite<T>("weight decay", settings.WeightDecay);
        RequireFinite<T>("momentum", settings.Momentum);
        if (RateProblem<T>(string.Create(CultureInfo.InvariantCulture, $"the learning rate {settings.LearningRate}"), settings.LearningRate, DecoupledDecay(settings)) is { } problem)
            throw new UsageException(problem);
        try
        {
            return Build(settings, model);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "learningRate")
        {
            // A rate finite in T is refused only so (Adam's and AdamW's γ / (1 − β1^t) at t = 1).
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"the learning rate {settings.LearningRate} is too large for {settings.Name} in {TypeName<T>()}, the element type of the model it trains: {settings.Name}'s first step size, the rate / (1 − β1), is not finite there."));
        }
    }

    /// <summary>The λ that shrinks the weights by 1 − rate·λ at every step: AdamW's weight decay; 0 for the optimizers that add λ·θ to the gradient.</summary>
    public static double DecoupledDecay(OptimizerSettings settings) => settings.Name == "adamw" ? settings.WeightDecay : 0;

    /// <summary>
    /// What the command says of a learning rate <paramref name="rate"/> (named as <paramref name="subject"/>) that
    /// <typeparamref name="T"/> cannot hold, or whose decay factor 1 − rate·<paramref name="decoupledDecay"/> it cannot:
    /// AdamW's decoupled decay may leave T where neither γ nor λ does (1e19 and 1e20 in float), which AdamW itself finds
    /// only at its first step. Null when both fit.
    /// </summary>
    public static string? RateProblem<T>(string subject, double rate, double decoupledDecay) where T : IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(T.CreateTruncating(rate)))
            return NotFinite<T>(subject) + ".";
        if (!T.IsFinite(T.CreateTruncating(1 - rate * decoupledDecay)))
        {
            return NotFinite<T>(string.Create(CultureInfo.InvariantCulture, $"{subject} times the weight decay {decoupledDecay}, {rate * decoupledDecay},"))
                + ": adamw shrinks the weights by 1 − rate·decay at every step.";
        }
        return null;
    }

    // "<subject> is not finite in float, the element type of the model it trains": only the element type knows.
    private static string NotFinite<T>(string subject) => $"{subject} is not finite in {TypeName<T>()}, the element type of the model it trains";

    /// <summary>The name of the element type <typeparamref name="T"/>: float or double.</summary>
    public static string TypeName<T>() => typeof(T) == typeof(float) ? "float" : "double";

    private static Optimizer<T> Build<T>(OptimizerSettings settings, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = model.Parameters.Length;
        IReadOnlyList<ParameterGroup> groups = ParameterGroup.DecayWeightsOnly(model.ParameterTensors);
        return settings.Name switch
        {
            "sgd" => new Sgd<T>(count, settings.LearningRate, settings.Momentum, nesterov: settings.Nesterov, weightDecay: settings.WeightDecay, groups: groups),
            "rmsprop" => new RmsProp<T>(count, settings.LearningRate, weightDecay: settings.WeightDecay, momentum: settings.Momentum, groups: groups),
            "adam" => new Adam<T>(count, settings.LearningRate, weightDecay: settings.WeightDecay, groups: groups),
            "adamw" => new AdamW<T>(count, settings.LearningRate, weightDecay: settings.WeightDecay, groups: groups),
            _ => throw new UsageException($"--optimizer: unknown optimizer '{settings.Name}'; expected {string.Join(", ", Names)}."),
        };
    }

    /// <summary>The L1 and L2 penalties on weight matrices, or null when both λ are 0.</summary>
    /// <exception cref="UsageException">A λ is not finite in <typeparamref name="T"/>, as <see cref="Create"/> names it.</exception>
    public static IRegularizer<T>? Penalty<T>(OptimizerSettings settings) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireFinite<T>("L1 penalty's λ", settings.L1);
        RequireFinite<T>("L2 penalty's λ", settings.L2);
        var parts = new List<IRegularizer<T>>();
        if (settings.L1 > 0)
            parts.Add(new L1Penalty<T>(settings.L1));
        if (settings.L2 > 0)
            parts.Add(new L2Penalty<T>(settings.L2));
        return parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => new PenaltySum<T>(parts),
        };
    }

    // A setting the library would refuse in its own words (its parameter's name) where the element type cannot hold it.
    // Only float can fail: every value an option takes is a finite double.
    private static void RequireFinite<T>(string name, double value) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(T.CreateTruncating(value)))
            throw new UsageException(NotFinite<T>(string.Create(CultureInfo.InvariantCulture, $"the {name} {value}")) + ".");
    }
}
