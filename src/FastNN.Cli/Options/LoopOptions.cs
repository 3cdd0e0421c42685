using System.CommandLine;
using FastNN.Cli.Training;
using FastNN.Intrinsics;

namespace FastNN.Cli.Options;

/// <summary>The options of the training loop and the process: epochs, batch size, seed, precision, threads.</summary>
internal sealed class LoopOptions
{
    private readonly Option<int?> _epochs;
    private readonly int _defaultEpochs;
    private readonly bool _budget;
    private readonly bool _withDouble;

    private readonly Option<int?> _batchSize = new("--batch-size")
    {
        Description = "Rows per mini-batch. Default 32.",
        HelpName = "N",
    };

    private readonly Option<bool> _dropLast;

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the split, the initialization, the shuffles and dropout; the same seed gives the same run. Default 0.",
        HelpName = "N",
    };

    private readonly Option<bool> _double = new("--double") { Description = "Train in double precision instead of float, the data read as double too (a value beyond float's 3.4E+38 needs it)." };

    private readonly Option<int?> _threads = new("--threads")
    {
        Description = "Threads the kernels may use. Default: FASTNN_NUM_THREADS, else every processor.",
        HelpName = "N",
    };

    /// <summary>
    /// Creates the options with <paramref name="defaultEpochs"/> as the default of <c>--epochs</c>, or, when
    /// <paramref name="defaultEpochs"/> is null, <see cref="EpochBudget"/>'s default, which depends on the training rows;
    /// <c>--double</c> only when <paramref name="withDouble"/> (a command that runs in float alone does not list it);
    /// <paramref name="batchNorm"/> says what puts batch norm in the networks, for <c>--drop-last</c>'s description.
    /// </summary>
    public LoopOptions(int? defaultEpochs, bool withDouble = true, string batchNorm = "with --batch-norm")
    {
        _dropLast = new Option<bool>("--drop-last")
        {
            Description = $"Skip each epoch's incomplete last batch (as PyTorch's drop_last; a different row each epoch, as the rows are shuffled). Needed {batchNorm} when the last batch would have one row.",
        };
        _withDouble = withDouble;
        _budget = defaultEpochs is null;
        _defaultEpochs = defaultEpochs ?? EpochBudget.Epochs;
        _epochs = new Option<int?>("--epochs")
        {
            Description = $"Passes over the training rows. Default {(_budget ? EpochBudget.Rule : _defaultEpochs)}.",
            HelpName = "N",
        };
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _epochs, _batchSize, _dropLast, _seed, _double, _threads })
        {
            if (option != _double || _withDouble)
                command.Options.Add(option);
        }
    }

    /// <summary>The settings; with the budget default, resolve the epochs with <see cref="LoopSettings.ForTrainingRows"/> once the rows are known.</summary>
    public LoopSettings Read(ParseResult parse)
    {
        int? epochs = parse.GetValue(_epochs);
        return new LoopSettings(
            OptionValues.AtLeast(epochs ?? _defaultEpochs, 1, "--epochs"),
            OptionValues.AtLeast(parse.GetValue(_batchSize) ?? 32, 1, "--batch-size"),
            OptionValues.AtLeast(parse.GetValue(_seed), 0, "--seed"),
            _withDouble && parse.GetValue(_double),
            DefaultEpochs: epochs is null && _budget,
            DropLast: parse.GetValue(_dropLast));
    }

    /// <summary>
    /// Applies <c>--threads</c> to the kernels for the duration of a command; dispose to restore the previous count (a
    /// test process runs many commands).
    /// </summary>
    public IDisposable ApplyThreads(ParseResult parse)
    {
        int previous = Parallelism.MaxThreads;
        if (parse.GetValue(_threads) is int threads)
            Parallelism.MaxThreads = OptionValues.AtLeast(threads, 1, "--threads");
        return new Restore(() => Parallelism.MaxThreads = previous);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
