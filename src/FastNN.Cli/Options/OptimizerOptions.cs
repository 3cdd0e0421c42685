using System.CommandLine;
using FastNN.Cli.Training;

namespace FastNN.Cli.Options;

/// <summary>The options of the optimizer, its schedule and the penalties.</summary>
internal sealed class OptimizerOptions
{
    private readonly Option<string?> _optimizer;
    private readonly string _defaultOptimizer;

    private readonly Option<double?> _lr = new("--lr")
    {
        Description = "Learning rate. Default 1e-3 for adam and adamw, 1e-2 for sgd and rmsprop.",
        HelpName = "RATE",
    };

    private readonly Option<double?> _momentum;
    private readonly double _defaultMomentum;

    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "Nesterov momentum (sgd; needs --momentum > 0)." };

    private readonly Option<double?> _weightDecay = new("--weight-decay")
    {
        Description = "Weight decay on weight matrices only, never biases or normalization parameters: decoupled for adamw, coupled into the gradient for sgd, rmsprop and adam (as PyTorch). Default 1e-2 for adamw, 0 otherwise.",
        HelpName = "LAMBDA",
    };

    private readonly Option<double> _l1 = new("--l1")
    {
        Description = "λ of an L1 penalty λ·Σ|w| on weight matrices, added to the loss. Default 0.",
        HelpName = "LAMBDA",
    };

    private readonly Option<double> _l2 = new("--l2")
    {
        Description = "λ of an L2 penalty λ/2·Σw² on weight matrices, added to the loss (ridge). Default 0.",
        HelpName = "LAMBDA",
    };

    private readonly Option<string?> _schedule = new("--schedule")
    {
        Description = $"Learning-rate schedule over epochs: {ScheduleSpec.Syntax} (lr/(1+D·epoch), ×G every N epochs, ×G every epoch, cosine from lr towards 0 with T_max = the epochs after warm-up, as CosineAnnealingLR: the last epoch runs at the cosine's lowest rate, still above 0, and 0 would come one epoch later). Default constant.",
        HelpName = "SCHEDULE",
    };

    private readonly Option<int> _warmup = new("--warmup")
    {
        Description = "Epochs of linear warm-up from a third of the learning rate before the schedule. Default 0.",
        HelpName = "N",
    };

    private readonly Option<double?> _clipNorm = new("--clip-norm")
    {
        Description = "Clip the gradients to this global L2 norm before each step (as clip_grad_norm_). Default: no clipping.",
        HelpName = "NORM",
    };

    private readonly Option<double?> _clipValue = new("--clip-value")
    {
        Description = "Clamp every gradient into [-VALUE, VALUE] before each step (as clip_grad_value_), before any --clip-norm. Default: no clamping.",
        HelpName = "VALUE",
    };

    /// <summary>Creates the options with their defaults: the optimizer and, for sgd and rmsprop, the momentum.</summary>
    public OptimizerOptions(string defaultOptimizer = "adamw", double defaultMomentum = 0)
    {
        (_defaultOptimizer, _defaultMomentum) = (defaultOptimizer, defaultMomentum);
        _optimizer = new Option<string?>("--optimizer")
        {
            Description = $"sgd, rmsprop, adam or adamw (as torch.optim). Default {defaultOptimizer}.",
        }.AcceptOnlyFromAmong(OptimizerFactory.Names);
        _momentum = new Option<double?>("--momentum")
        {
            Description = $"Momentum of sgd and rmsprop. Default {defaultMomentum.ToString(System.Globalization.CultureInfo.InvariantCulture)}.",
            HelpName = "M",
        };
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _optimizer, _lr, _momentum, _nesterov, _weightDecay, _l1, _l2, _schedule, _warmup, _clipNorm, _clipValue })
            command.Options.Add(option);
    }

    public OptimizerSettings Read(ParseResult parse)
    {
        string name = parse.GetValue(_optimizer) ?? _defaultOptimizer;
        double momentum = OptionValues.NonNegative(parse.GetValue(_momentum) ?? _defaultMomentum, "--momentum");
        if (name is "adam" or "adamw")
        {
            // A command's default momentum (gradflow's 0.9) is sgd's and rmsprop's; only one the user gave is a mistake.
            if (momentum > 0 && parse.GetResult(_momentum) is { Implicit: false })
                throw new UsageException($"--momentum applies to sgd and rmsprop; {name} has its own moment estimates (β1).");
            momentum = 0;
        }
        bool nesterov = parse.GetValue(_nesterov);
        if (nesterov && (name != "sgd" || momentum == 0))
            throw new UsageException("--nesterov needs --optimizer sgd and --momentum > 0.");
        double? clip = parse.GetValue(_clipNorm), clipValue = parse.GetValue(_clipValue);
        return new OptimizerSettings(
            name,
            OptionValues.Positive(parse.GetValue(_lr) ?? OptimizerFactory.DefaultLearningRate(name), "--lr"),
            momentum,
            nesterov,
            OptionValues.NonNegative(parse.GetValue(_weightDecay) ?? OptimizerFactory.DefaultWeightDecay(name), "--weight-decay"),
            OptionValues.NonNegative(parse.GetValue(_l1), "--l1"),
            OptionValues.NonNegative(parse.GetValue(_l2), "--l2"),
            ScheduleSpec.Parse(parse.GetValue(_schedule) ?? "constant"),
            OptionValues.AtLeast(parse.GetValue(_warmup), 0, "--warmup"),
            clip is double c ? OptionValues.Positive(c, "--clip-norm") : null,
            clipValue is double v ? OptionValues.Positive(v, "--clip-value") : null);
    }
}
