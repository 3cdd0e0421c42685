using System.Numerics;
using FastNN.Gradients;
using FastNN.Intrinsics;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Tests.IO;
using FastNN.Tests.Threading;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// Trainer.TrainStep over the matrix a user can build: a model of every layer type, every loss, every optimizer
/// variant, every schedule, L1 and L2 penalties, clipping, the guard and a gradient monitor, in float and double, with
/// one kernel thread and two. After a warm-up no step allocates, on the calling thread or on a kernel worker; and a
/// run gives the same bits on one thread and two, and after a checkpoint saved and loaded between two steps.
/// </summary>
[Collection(ParallelismCollection.Name)] // sets Parallelism.MaxThreads and counts allocations
public class TrainingMatrixTests
{
    private const int Input = 12, Batch = 16;

    private static ILayer<T>[] EveryLayer<T>(int width, int outputs) where T : unmanaged, IFloatingPointIeee754<T> =>
    [
        new Dense<T>(Input, width), new BatchNorm1d<T>(width), new Relu<T>(width), new LayerNorm<T>(width), new Dropout<T>(width, 0.2),
        new Residual<T>(new Dense<T>(width, width), new LayerNorm<T>(width), new Gelu<T>(width), new Dropout<T>(width, 0.3)),
        new Residual<T>(new Tanh<T>(width), new Dense<T>(width, 24), new Elu<T>(24)),                     // with a projection
        new Concat<T>(new Dense<T>(24, 8), new Silu<T>(8), new BatchNorm1d<T>(8)), new Dense<T>(32, width),
        new PRelu<T>(width, width), new LeakyRelu<T>(width), new Softplus<T>(width), new Sigmoid<T>(width),
        new Gelu<T>(width, tanhApproximation: true), new PRelu<T>(width), new Softmax<T>(width), new LogSoftmax<T>(width),
        new Dense<T>(width, outputs),
    ];

    /// <summary>One trainer setting: the loss (and so the task), the optimizer, the schedule and the hooks.</summary>
    private sealed record Setting(string Loss, string Optimizer, string Schedule, string Hooks);

    // Every loss, optimizer variant, schedule and hook at least once, combined so that few settings cover them.
    private static readonly Setting[] Settings =
    [
        new("mse", "SGD", "none", ""),
        new("huber", "SGD momentum", "step", "l1"),
        new("bce", "SGD Nesterov", "exponential", "l2 clip"),
        new("cross-entropy", "SGDW", "cosine", "monitor"),
        new("mse", "RMSprop centered", "inverse-time", "guard monitor"),
        new("bce", "Adam", "warmup", "l2 clip guard monitor"),
        new("cross-entropy", "AMSGrad", "constant", "l1 clip"),
        new("huber", "AdamW", "warmup", "l2 monitor"),
    ];

    private static Trainer<T> NewTrainer<T>(Setting setting, int width, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (ILoss<T> loss, TaskKind task, int outputs) = setting.Loss switch
        {
            "mse" => ((ILoss<T>)new MseLoss<T>(), TaskKind.Regression, 1),
            "huber" => (new HuberLoss<T>(0.5), TaskKind.Regression, 1),
            "bce" => (new BceWithLogitsLoss<T>(), TaskKind.BinaryClassification, 1),
            _ => (new SoftmaxCrossEntropyLoss<T>(), TaskKind.MultiClassClassification, 5),
        };
        var model = new Sequential<T>(EveryLayer<T>(width, outputs), Batch, seed);
        int n = model.Parameters.Length;
        Optimizer<T> optimizer = setting.Optimizer switch
        {
            "SGD" => new Sgd<T>(n, 1e-2),
            "SGD momentum" => new Sgd<T>(n, 1e-2, momentum: 0.9, dampening: 0.1, weightDecay: 1e-4),
            "SGD Nesterov" => new Sgd<T>(n, 1e-2, momentum: 0.9, nesterov: true),
            "SGDW" => new Sgdw<T>(n, 1e-2, momentum: 0.9, weightDecay: 1e-3),
            "RMSprop centered" => new RmsProp<T>(n, 1e-3, momentum: 0.5, centered: true, weightDecay: 1e-4),
            "Adam" => new Adam<T>(n, 1e-3, weightDecay: 1e-4, groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors)),
            "AMSGrad" => new Adam<T>(n, 1e-3, amsGrad: true),
            _ => new AdamW<T>(n, 1e-3, amsGrad: true),
        };
        var trainer = new Trainer<T>(model, loss, optimizer, task)
        {
            Schedule = setting.Schedule switch
            {
                "none" => null,
                "step" => new StepSchedule(1e-2, stepSize: 3),
                "exponential" => new ExponentialSchedule(1e-2, 0.9),
                "cosine" => new CosineAnnealingSchedule(1e-2, tMax: 10),
                "inverse-time" => new InverseTimeSchedule(1e-3, 0.1),
                "constant" => new ConstantSchedule(1e-3),
                _ => new WarmupSchedule(new CosineAnnealingSchedule(1e-3, tMax: 10), warmup: 4),
            },
            ScheduleEachStep = true,
        };
        string[] hooks = setting.Hooks.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (hooks.Contains("l1"))
            trainer.Regularizer = new L1Penalty<T>(1e-4);
        if (hooks.Contains("l2"))
            trainer.Regularizer = new L2Penalty<T>(1e-4);
        if (hooks.Contains("clip"))
            trainer.MaxGradientNorm = 0.5;
        if (hooks.Contains("guard"))
            trainer.Guard = new NonFiniteGradientGuard<T>(model.ParameterTensors);
        if (hooks.Contains("monitor"))
            trainer.Monitor = new GradientMonitor<T>(model.ParameterTensors, new GradientMonitorOptions { Interval = 2, Capacity = 4, GrowthWindow = 2 });
        return trainer;
    }

    /// <summary>A batch of features in (−1, 1) and targets that suit the task.</summary>
    private static (T[] X, T[] Y) Batch16<T>(Random random, TaskKind task) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = new T[Batch * Input], y = new T[Batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(2 * random.NextDouble() - 1);
        for (int i = 0; i < y.Length; i++)
            y[i] = T.CreateTruncating(task switch { TaskKind.Regression => random.NextDouble(), TaskKind.BinaryClassification => random.Next(2), _ => random.Next(5) });
        return (x, y);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FloatStepsAllocateNothing(int threads) => AllocateNothing<float>(threads);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DoubleStepsAllocateNothing(int threads) => AllocateNothing<double>(threads);

    private static void AllocateNothing<T>(int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int wide = 512;
        Assert.True(2L * Batch * wide * wide >= 2 * BlockSizes.MinFlopsPerThread && wide * wide >= 2 * OptimizerKernels.MinElementsPerThread);
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            // Every setting on a narrow model, whose kernels all run on the calling thread; and one on a model wide enough
            // that, given two threads, its products and its update split over a worker (as checked above).
            foreach ((Setting setting, int width) in Settings.Select(s => (s, 32)).Append((Settings[^1], wide)))
            {
                Trainer<T> trainer = NewTrainer<T>(setting, width, seed: 3);
                (T[] x, T[] y) = Batch16<T>(new Random(1), trainer.Task);
                void Steps()
                {
                    // Both entry points: features copied in, and read in place.
                    trainer.TrainStep(x, y, Batch);
                    trainer.TrainStep(x.AsMemory(), y, Batch);
                }
                for (int i = 0; i < 4; i++)
                    Steps();
                // The calling thread and the kernels' workers: every thread a step runs on, and none of the test host's.
                long least = new PoolThreadAllocation().Least(3, Steps);
                Assert.True(least == 0, $"{setting}, width {width}: {least} bytes allocated on FastNN's threads per two steps.");
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void FitAllocatesNothingPerStep()
    {
        // The same epochs over the same rows in 8 steps of 16 rows and in 16 steps of 8: Fit's own allocations (row
        // order, validation rows, one result per epoch) are the same, so any difference is allocated per step.
        var random = new Random(4);
        var data = new FastNN.Data.Dataset<float>(
            [.. Enumerable.Range(0, 160 * Input).Select(_ => (float)(2 * random.NextDouble() - 1))], [.. Enumerable.Range(0, 160).Select(r => (float)(r % 5))], Input);
        long FitBytes(int batchSize)
        {
            Trainer<float> template = NewTrainer<float>(Settings[^1] with { Loss = "cross-entropy" }, width: 32, seed: 3);
            var trainer = new Trainer<float>(template.Model, template.Loss, template.Optimizer, template.Task,
                new TrainerOptions { Epochs = 100, BatchSize = batchSize, ValidationFraction = 0.2 })
            {
                Regularizer = template.Regularizer, Monitor = template.Monitor, MaxGradientNorm = 0.5,
                Schedule = template.Schedule, ScheduleEachStep = true, Guard = new NonFiniteGradientGuard<float>(template.Model.ParameterTensors),
            };
            long Fit(int epochs)
            {
                using var stop = new CancellationTokenSource();
                int seen = 0;
                trainer.EpochCompleted = _ =>
                {
                    if (++seen == epochs)
                        stop.Cancel();
                };
                long before = GC.GetAllocatedBytesForCurrentThread();
                trainer.Fit(data, cancellationToken: stop.Token);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Fit(2); // warm-up
            return Fit(3);
        }
        Assert.Equal(FitBytes(16), FitBytes(8));
    }

    [Fact]
    public void TheBestEpochsWeightsAreCopiedIntoBuffersAllocatedOnce()
    {
        // 20,485 parameters (82 KB a copy); the class is the largest of the first five features, so the held-out loss
        // keeps falling and most epochs are a new best, each copied with RestoreBest. After the first Fit (the copy's
        // buffers, the row order, the predictions), a Fit over five more allocates a few records per epoch, no copy.
        var random = new Random(6);
        FastNN.Data.Dataset<float> Rows(int rows)
        {
            float[] x = [.. Enumerable.Range(0, rows * Input).Select(_ => (float)(2 * random.NextDouble() - 1))];
            float[] y = [.. Enumerable.Range(0, rows).Select(r => (float)Enumerable.Range(0, 5).MaxBy(c => x[r * Input + c]))];
            return new FastNN.Data.Dataset<float>(x, y, Input);
        }
        FastNN.Data.Dataset<float> train = Rows(96), validation = Rows(48);
        Sequential<float> model = new SequentialBuilder<float>(Input).Dense(1024).BatchNorm().Relu().Dense(5).Build(Batch, seed: 2);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 1e-3),
            TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 6, BatchSize = Batch, RestoreBest = true });
        int improved = 0;
        using var stop = new CancellationTokenSource();
        trainer.EpochCompleted = e =>
        {
            stop.Cancel();
            improved += ReferenceEquals(trainer.EarlyStopping!.Best, e) ? 1 : 0;
        };
        trainer.Fit(train, validation, stop.Token);
        improved = 0;
        trainer.EpochCompleted = e => improved += ReferenceEquals(trainer.EarlyStopping!.Best, e) ? 1 : 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        trainer.Fit(train, validation);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(improved >= 3, $"{improved} of 5 epochs improved");
        Assert.True(bytes < model.Parameters.Length * sizeof(float), $"{bytes} bytes allocated over 5 epochs, {improved} of them a new best");
    }

    [Fact]
    public void ARunIsBitIdenticalOnOneThreadAndTwoAndAcrossACheckpoint()
    {
        // Wide enough that two threads split the products, the activations (2048 features x 128 rows: 2^18 elements)
        // and the update (over 2 x 65,536 parameters).
        const int width = 2048, batch = 128;
        (float[] Parameters, float[] State) Run(int threads, bool resume)
        {
            int saved = Parallelism.MaxThreads;
            Parallelism.MaxThreads = threads;
            try
            {
                Trainer<float> trainer = Wide(seed: 9);
                var random = new Random(2);
                (float[] x1, float[] y1) = Batch<float>(random);
                (float[] x2, float[] y2) = Batch<float>(random);
                trainer.TrainStep(x1, y1, batch);
                if (resume)
                {
                    using var folder = new TempFolder();
                    string path = folder.File("step.ckpt.safetensors");
                    Checkpoint.Save(path, trainer);
                    trainer = Wide(seed: 99); // everything that matters must come from the checkpoint
                    Checkpoint.Load(path, trainer);
                }
                trainer.TrainStep(x2, y2, batch);
                return (trainer.Model.Parameters.ToArray(), trainer.Model.State.ToArray());
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        Trainer<float> Wide(ulong seed)
        {
            var model = new Sequential<float>(
            [
                new Dense<float>(64, width), new BatchNorm1d<float>(width), new Relu<float>(width), new LayerNorm<float>(width), new Dropout<float>(width, 0.2),
                new Residual<float>(new Gelu<float>(width), new Dropout<float>(width, 0.3), new Silu<float>(width)),
                new Residual<float>(new Tanh<float>(width), new Dense<float>(width, 32), new Elu<float>(32)),
                new Concat<float>(new Dense<float>(32, 8), new Sigmoid<float>(8)), new Dense<float>(40, width),
                new Softplus<float>(width), new Gelu<float>(width, tanhApproximation: true), new PRelu<float>(width, width), new LeakyRelu<float>(width),
                new Softmax<float>(width), new LogSoftmax<float>(width), new Dense<float>(width, 5),
            ], batch, seed);
            Assert.True(model.Parameters.Length >= 2 * OptimizerKernels.MinElementsPerThread);
            var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, 1e-3),
                TaskKind.MultiClassClassification)
            {
                Schedule = new CosineAnnealingSchedule(1e-3, tMax: 10),
                ScheduleEachStep = true,
                Regularizer = new L2Penalty<float>(1e-4),
                MaxGradientNorm = 0.5,
                Monitor = new GradientMonitor<float>(model.ParameterTensors, new GradientMonitorOptions { Interval = 1, Capacity = 2, GrowthWindow = 2 }),
            };
            return trainer;
        }
        (T[] X, T[] Y) Batch<T>(Random random) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] x = new T[batch * 64], y = new T[batch];
            for (int i = 0; i < x.Length; i++)
                x[i] = T.CreateTruncating(2 * random.NextDouble() - 1);
            for (int i = 0; i < y.Length; i++)
                y[i] = T.CreateTruncating(random.Next(5));
            return (x, y);
        }

        (float[] Parameters, float[] State) one = Run(1, resume: false), two = Run(2, resume: false), resumed = Run(2, resume: true);
        Assert.Equal(one.Parameters, two.Parameters);
        Assert.Equal(one.State, two.State);
        Assert.Equal(one.Parameters, resumed.Parameters);
        Assert.Equal(one.State, resumed.State);
    }
}
