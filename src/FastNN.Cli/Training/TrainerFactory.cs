using System.Numerics;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>Puts a model, its loss, optimizer, penalties, schedule and loop settings together into a <see cref="Trainer{T}"/>.</summary>
internal static class TrainerFactory
{
    /// <summary>The largest batch a built model takes: the training batch, or 256 rows for faster evaluation.</summary>
    public static int MaxBatch(LoopSettings loop) => Math.Max(loop.BatchSize, 256);

    /// <summary>The output width of the task: one per class, or one logit or value.</summary>
    public static int Outputs(TaskChoice task, int classes) => task == TaskChoice.Classify ? classes : 1;

    /// <summary>The loss of the task: softmax cross-entropy, BCE with logits or MSE.</summary>
    public static ILoss<T> Loss<T>(TaskChoice task) where T : unmanaged, IFloatingPointIeee754<T> => task switch
    {
        TaskChoice.Classify => new SoftmaxCrossEntropyLoss<T>(),
        TaskChoice.Binary => new BceWithLogitsLoss<T>(),
        _ => new MseLoss<T>(),
    };

    /// <summary>
    /// The trainer: no validation split of its own (the command holds out its test rows itself) and no best-epoch
    /// restore (the held-out rows must not choose the model).
    /// </summary>
    public static Trainer<T> Create<T>(Sequential<T> model, TaskChoice task, OptimizerSettings optimizer, LoopSettings loop, bool shuffle)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(model, Loss<T>(task), OptimizerFactory.Create(optimizer, model), task.Kind(),
            new TrainerOptions { Epochs = loop.Epochs, BatchSize = loop.BatchSize, DropLast = loop.DropLast, Seed = loop.Seed, Shuffle = shuffle, RestoreBest = false })
        {
            Regularizer = OptimizerFactory.Penalty<T>(optimizer),
            MaxGradientNorm = optimizer.ClipNorm,
            MaxGradientValue = optimizer.ClipValue,
            Schedule = optimizer.Schedule.Create<T>(optimizer.LearningRate, loop.Epochs, optimizer.Warmup, OptimizerFactory.DecoupledDecay(optimizer)),
        };
}
