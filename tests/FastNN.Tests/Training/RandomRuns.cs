using System.Numerics;
using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Tests.Models;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// A random training run drawn from one seed: task and loss, a random architecture (RandomArchitectures) with an output
/// layer, data, optimizer (every kind and option), learning-rate schedule (every kind, per epoch or per step), clipping,
/// L1/L2 penalty, batch size, shuffling, drop-last, a held-out fraction with early stopping (patience 0-2) and RestoreBest. Every call with the same seed builds the
/// same run; the model's seed and the shuffling seed are the caller's.
/// </summary>
internal static class RandomRuns
{
    public static (Trainer<T> Trainer, Dataset<T> Data) New<T>(int seed, ulong modelSeed, int shuffleSeed, bool plain = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var task = (TaskKind)random.Next(3);
        int inputs = 1 + random.Next(12), outputs = task == TaskKind.MultiClassClassification ? 2 + random.Next(4) : 1;
        List<ILayer<T>> layers = RandomArchitectures.Layers<T>(random, inputs);
        layers.Add(new Dense<T>(layers[^1].OutputSize, outputs));
        int batch = 2 + random.Next(15), rows = 24 + random.Next(40);
        var model = new Sequential<T>(layers, batch, modelSeed);

        var x = new T[rows * inputs];
        var y = new T[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < inputs; c++)
                sum += double.CreateTruncating(x[r * inputs + c] = T.CreateTruncating(4 * random.NextDouble() - 2));
            y[r] = T.CreateTruncating(task switch
            {
                TaskKind.Regression => Math.Sin(sum),
                TaskKind.BinaryClassification => sum > 0 ? 1 : 0,
                _ => r % outputs,
            });
        }

        ILoss<T> loss = task switch
        {
            TaskKind.Regression => random.Next(2) == 0 ? new MseLoss<T>() : new HuberLoss<T>(0.5 + random.NextDouble()),
            TaskKind.BinaryClassification => new BceWithLogitsLoss<T>(),
            _ => new SoftmaxCrossEntropyLoss<T>(),
        };
        int n = model.Parameters.Length;
        double lr = 0.001 + 0.005 * random.NextDouble();
        IReadOnlyList<ParameterGroup>? groups = random.Next(2) == 0 ? null : ParameterGroup.DecayWeightsOnly(model.ParameterTensors);
        Optimizer<T> optimizer = random.Next(9) switch
        {
            0 => new Sgd<T>(n, lr, groups: groups),
            1 => new Sgd<T>(n, lr, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, groups: groups),
            2 => new Sgd<T>(n, lr, momentum: 0.8, nesterov: true, groups: groups),
            3 => new Sgdw<T>(n, lr, momentum: 0.9, groups: groups),
            4 => new RmsProp<T>(n, lr, groups: groups),
            5 => new RmsProp<T>(n, lr, momentum: 0.5, centered: true, weightDecay: 1e-3, groups: groups),
            6 => new Adam<T>(n, lr, weightDecay: 1e-3, groups: groups),
            7 => new Adam<T>(n, lr, amsGrad: true, groups: groups),
            _ => new AdamW<T>(n, lr, amsGrad: random.Next(2) == 0, groups: groups),
        };
        bool batchNorm = Contains<BatchNorm1d<T>>(layers);
        bool holdOut = random.Next(3) == 0;
        var options = new TrainerOptions
        {
            Epochs = 3 + random.Next(3),
            BatchSize = batch,
            Seed = shuffleSeed,
            Shuffle = random.Next(4) != 0,
            DropLast = batchNorm || random.Next(2) == 0, // BatchNorm1d cannot train on a last batch of one row
            ValidationFraction = holdOut ? 0.25 : 0,
            Patience = holdOut ? random.Next(3) : 0,
            RestoreBest = random.Next(2) == 0,
        };
        var trainer = new Trainer<T>(model, loss, optimizer, task, options);
        ILearningRateSchedule? schedule = random.Next(7) switch
        {
            0 => null,
            1 => new ConstantSchedule(lr),
            2 => new InverseTimeSchedule(lr, 0.1, 1 + random.Next(3)),
            3 => new StepSchedule(lr, 1 + random.Next(4), 0.5),
            4 => new ExponentialSchedule(lr, 0.9),
            5 => new CosineAnnealingSchedule(lr, 2 + random.Next(10), lr / 10),
            _ => new WarmupSchedule(new StepSchedule(lr, 2 + random.Next(4), 0.7), 1 + random.Next(5)),
        };
        bool eachStep = random.Next(2) == 0;
        double? clip = random.Next(3) == 0 ? 0.5 + 2 * random.NextDouble() : null;
        IRegularizer<T>? penalty = random.Next(3) switch
        {
            0 => new L1Penalty<T>(1e-4 * (1 + random.Next(10))),
            1 => new L2Penalty<T>(1e-3 * (1 + random.Next(10))),
            _ => null,
        };
        if (!plain)
        {
            trainer.Schedule = schedule;
            trainer.ScheduleEachStep = eachStep;
            trainer.MaxGradientNorm = clip;
            trainer.Regularizer = penalty;
        }
        return (trainer, new Dataset<T>(x, y, inputs));
    }

    /// <summary>
    /// <paramref name="run"/>'s model, loss, optimizer, schedule and clipping in a trainer under early stopping drawn
    /// from <paramref name="random"/>: <paramref name="epochs"/>, 30 % held out, Patience below <paramref name="patienceBound"/>,
    /// MinDelta, the watched number and RestoreBest; its regularizer is <paramref name="regularizer"/>'s choice (the run's by default).
    /// With DropLast, a batch larger than half the <paramref name="rows"/> is halved until it fits, so that the rows left
    /// after the hold-out (at least half of them) hold a whole batch.
    /// </summary>
    public static Trainer<T> WithEarlyStopping<T>(Trainer<T> run, int rows, Random random, int epochs, int patienceBound,
        Func<IRegularizer<T>?, IRegularizer<T>?>? regularizer = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int? batch = run.Options.BatchSize;
        while (run.Options.DropLast && batch > rows / 2)
            batch /= 2;
        TrainerOptions options = run.Options with
        {
            BatchSize = batch,
            Epochs = epochs,
            ValidationFraction = 0.3,
            Patience = random.Next(patienceBound),
            MinDelta = random.Next(3) == 0 ? 0 : 0.01 * random.NextDouble(),
            EarlyStoppingOn = random.Next(2) == 0 ? EarlyStoppingOn.ValidationLoss : EarlyStoppingOn.ValidationMetric,
            RestoreBest = random.Next(3) != 0,
        };
        return new Trainer<T>(run.Model, run.Loss, run.Optimizer, run.Task, options)
        {
            Schedule = run.Schedule, ScheduleEachStep = run.ScheduleEachStep, MaxGradientNorm = run.MaxGradientNorm,
            Regularizer = regularizer is null ? run.Regularizer : regularizer(run.Regularizer),
        };
    }

    /// <summary>
    /// Fits <paramref name="trainer"/> on <paramref name="data"/>; false when the run diverged (a random architecture
    /// and learning rate may: a LogSoftmax's outputs of −16 into a Linear trained by SGD at 0.01 overflow in 7 steps).
    /// </summary>
    public static bool TryFit<T>(Trainer<T> trainer, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            trainer.Fit(data);
            return true;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("The training objective is", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>Whether a layer of type <typeparamref name="TLayer"/> is among <paramref name="layers"/> or their blocks' bodies.</summary>
    public static bool Contains<TLayer>(IEnumerable<object> layers) => layers.Any(l => l switch
    {
        TLayer => true,
        Residual<float> r => Contains<TLayer>(r.Body),
        Residual<double> r => Contains<TLayer>(r.Body),
        Concat<float> c => Contains<TLayer>(c.Body),
        Concat<double> c => Contains<TLayer>(c.Body),
        _ => false,
    });
}
