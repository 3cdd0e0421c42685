using System.CommandLine;
using FastNN.Cli.Training;

namespace FastNN.Cli.Options;

/// <summary>The options that describe the network.</summary>
internal sealed class ModelOptions
{
    public const string DefaultLayers = "256,128";

    private readonly Option<string?> _layers = new("--layers")
    {
        Description = $"Hidden layer widths, input side first; \"\" for a linear model (logistic, softmax or ridge regression). Default {DefaultLayers}.",
        HelpName = "W1,W2,...",
    };

    private readonly Option<string?> _activation = new Option<string?>("--activation")
    {
        Description = "The activation after each hidden layer. Default relu.",
    }.AcceptOnlyFromAmong(Activations.Names);

    private readonly Option<double> _dropout = new("--dropout")
    {
        Description = "Dropout probability after each hidden activation, in [0, 1). Default 0.",
        HelpName = "P",
    };

    private readonly Option<bool> _batchNorm = new("--batch-norm") { Description = "BatchNorm1d after each hidden Dense layer." };

    private readonly Option<bool> _layerNorm = new("--layer-norm") { Description = "LayerNorm after each hidden Dense layer." };

    private readonly Option<bool> _residual = new("--residual")
    {
        Description = "Wrap each hidden block in a residual connection y = x + f(x) (with a linear projection where the width changes).",
    };

    private readonly Option<string?> _init = new Option<string?>("--init")
    {
        Description = "Weight initialization: default (PyTorch's nn.Linear), xavier (Glorot uniform) or he (Kaiming normal, fan_in), with the activation's gain. Default he.",
    }.AcceptOnlyFromAmong(ModelFactory.InitNames);

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _layers, _activation, _dropout, _batchNorm, _layerNorm, _residual, _init })
            command.Options.Add(option);
    }

    /// <summary>Whether --init was given on the command line (not its default).</summary>
    public bool InitGiven(ParseResult parse) => parse.GetResult(_init) is { Implicit: false };

    public ModelSettings Read(ParseResult parse)
    {
        var settings = new ModelSettings(
            OptionValues.Layers(parse.GetValue(_layers) ?? DefaultLayers, "--layers"),
            parse.GetValue(_activation) ?? "relu",
            OptionValues.Fraction(parse.GetValue(_dropout), "--dropout", allowZero: true),
            parse.GetValue(_batchNorm),
            parse.GetValue(_layerNorm),
            parse.GetValue(_residual),
            parse.GetValue(_init) ?? "he");
        if (settings.Layers.Length > 0)
            return settings;
        // These shape the hidden layers; a linear model has none, and would otherwise drop them without a word.
        string? ignored = parse.GetResult(_activation) is { Implicit: false } ? "--activation"
            : settings.Dropout > 0 ? "--dropout"
            : settings.BatchNorm ? "--batch-norm"
            : settings.LayerNorm ? "--layer-norm"
            : settings.Residual ? "--residual"
            : null;
        return ignored is null ? settings : throw new UsageException($"{ignored}: a linear model (--layers \"\") has no hidden layer for it to apply to.");
    }
}
