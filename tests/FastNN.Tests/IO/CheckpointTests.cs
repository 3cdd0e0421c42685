using System.Numerics;
using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.Tests.IO;

public class CheckpointTests
{
    // Three classes of 4-feature rows around three centres, 90 rows.
    private static Dataset<T> Blobs<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new FastRandom(17);
        var x = new T[90 * 4];
        var y = new T[90];
        for (int r = 0; r < 90; r++)
        {
            y[r] = T.CreateTruncating(r % 3);
            for (int c = 0; c < 4; c++)
                x[4 * r + c] = T.CreateTruncating((c == r % 3 ? 2.0 : 0.0) + random.NextDouble(-1, 1));
        }
        return new Dataset<T>(x, y, 4);
    }

    // Dropout, BatchNorm, AdamW with its default groups and an epoch schedule: every stream a resume must restore.
    private static Trainer<T> NewTrainer<T>(ulong modelSeed, int? shuffleSeed = 7, bool tanh = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var builder = new SequentialBuilder<T>(4).Dense(16).BatchNorm();
        Sequential<T> model = (tanh ? builder.Tanh() : builder.Relu()).Dropout(0.3).Dense(3).Build(maxBatch: 16, modelSeed);
        var optimizer = new AdamW<T>(model.Parameters.Length, learningRate: 0.01, groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));
        return new Trainer<T>(model, new SoftmaxCrossEntropyLoss<T>(), optimizer, TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = shuffleSeed })
        {
            Schedule = new CosineAnnealingSchedule(0.01, tMax: 6),
        };
    }

    [Fact]
    public void FloatRunResumedAfterEpoch3IsBitIdenticalToAnUninterruptedRun() => ResumesBitIdentically<float>();

    [Fact]
    public void DoubleRunResumedAfterEpoch3IsBitIdenticalToAnUninterruptedRun() => ResumesBitIdentically<double>();

    private static void ResumesBitIdentically<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dataset<T> data = Blobs<T>();
        Trainer<T> whole = NewTrainer<T>(modelSeed: 1);
        whole.Fit(data);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<T> first = NewTrainer<T>(modelSeed: 1);
        using var stop = new CancellationTokenSource();
        first.EpochCompleted = e =>
        {
            if (e.Epoch == 3)
                stop.Cancel();
        };
        first.Fit(data, cancellationToken: stop.Token);
        Checkpoint.Save(path, first);

        // Another model seed and shuffling seed: everything that matters must come from the checkpoint.
        Trainer<T> resumed = NewTrainer<T>(modelSeed: 99, shuffleSeed: 12345);
        Checkpoint.Load(path, resumed);
        Assert.Equal(3, resumed.CompletedEpochs);
        TrainingHistory rest = resumed.Fit(data);

        Assert.Equal([4, 5, 6], rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(whole.Model.State.ToArray(), resumed.Model.State.ToArray());
        Assert.Equal(whole.Steps, resumed.Steps);
        Assert.Equal(whole.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
        OptimizerState<T> expected = whole.Optimizer.SaveState(), actual = resumed.Optimizer.SaveState();
        Assert.Equal(expected.StepCount, actual.StepCount);
        Assert.Equal(expected.Buffers["exp_avg_sq"], actual.Buffers["exp_avg_sq"]);
        Assert.Equal(whole.Model.Random.State, resumed.Model.Random.State);
    }

    // Without a seed the trainer draws the validation split's seed: it must be drawn once and kept by checkpoints, or
    // a resumed Fit (or a second Fit) holds out other rows, some of which it has trained on, and two resumes from one
    // checkpoint part ways.
    [Fact]
    public void WithoutASeedTheHeldOutRowsAreTheSameAfterEveryResume()
    {
        static Trainer<float> Unseeded()
        {
            Sequential<float> model = new SequentialBuilder<float>(4).Dense(8).Relu().Dense(3).Build(maxBatch: 16, seed: 1);
            return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(model.Parameters.Length, 0.1, momentum: 0.9),
                TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 4, BatchSize = 16, Seed = null, ValidationFraction = 0.3 });
        }

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> first = Unseeded();
        using var stop = new CancellationTokenSource();
        first.EpochCompleted = e => stop.Cancel();
        first.Fit(Blobs<float>(), cancellationToken: stop.Token);
        Checkpoint.Save(path, first);

        var runs = new List<float[]>();
        for (int run = 0; run < 2; run++)
        {
            Thread.Sleep(20); // a clock-drawn seed would differ
            Trainer<float> resumed = Unseeded();
            Checkpoint.Load(path, resumed);
            resumed.Fit(Blobs<float>());
            runs.Add(resumed.Model.Parameters.ToArray());
        }
        Assert.Equal(runs[0], runs[1]);
    }

    // RestoreBest puts the best epoch back when a run ends; a cancelled Fit has only paused it (the next Fit, or a
    // checkpoint, continues it), so its model must stay as the last step left it. Validation rows with shifted labels
    // make every epoch after the first worse, so the best epoch is never the one the run was paused after.
    [Fact]
    public void ARunPausedWithAValidationSetResumesExactlyWhereItStopped()
    {
        Dataset<float> train = Blobs<float>();
        Dataset<float> validation = new(train.Features.ToArray(), [.. train.Targets.ToArray().Select(y => (y + 1) % 3)], 4);
        var atEpoch = new Dictionary<int, float[]>();
        Trainer<float> whole = NewTrainer<float>(modelSeed: 1);
        whole.EpochCompleted = e => atEpoch[e.Epoch] = whole.Model.Parameters.ToArray();
        Assert.Equal(1, whole.Fit(train, validation).BestEpoch);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> first = NewTrainer<float>(modelSeed: 1);
        using var stop = new CancellationTokenSource();
        first.EpochCompleted = e =>
        {
            if (e.Epoch == 3)
                stop.Cancel();
        };
        first.Fit(train, validation, stop.Token);
        Assert.Equal(atEpoch[3], first.Model.Parameters.ToArray());
        Checkpoint.Save(path, first);

        Trainer<float> resumed = NewTrainer<float>(modelSeed: 99);
        Checkpoint.Load(path, resumed);
        float[]? last = null;
        resumed.EpochCompleted = e => last = resumed.Model.Parameters.ToArray();
        TrainingHistory rest = resumed.Fit(train, validation);
        Assert.Equal(atEpoch[6], last);
        // And when it ends, it puts back the best epoch of the whole run, trained before the pause.
        Assert.Equal(1, rest.BestEpoch);
        Assert.Equal(atEpoch[1], resumed.Model.Parameters.ToArray());
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
    }

    // The history's side of a mid-epoch resume: the finished epoch's mean loss (its first part's loss sum read back
    // from the file), rate, steps and validation, and every later epoch's, equal the uninterrupted run's.
    [Fact]
    public void ACheckpointSavedMidEpochResumesTheEpochsResultsExactly()
    {
        Dataset<double> data = Blobs<double>();
        Trainer<double> whole = NewTrainer<double>(modelSeed: 1);
        TrainingHistory all = whole.Fit(data, data);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<double> first = NewTrainer<double>(modelSeed: 1);
        using var stop = new CancellationTokenSource();
        first.Regularizer = new FastNN.Tests.Training.StepHook<double>(null, step =>
        {
            if (step == 2 * 6 + 3)
                stop.Cancel();
        });
        Assert.Equal([1, 2], first.Fit(data, data, stop.Token).Epochs.Select(e => e.Epoch));
        Checkpoint.Save(path, first);

        Trainer<double> resumed = NewTrainer<double>(modelSeed: 99, shuffleSeed: 3);
        Checkpoint.Load(path, resumed);
        TrainingHistory rest = resumed.Fit(data, data);
        Assert.Equal(all.Epochs.Skip(2).Select(e => (e.Epoch, e.TrainLoss, e.LearningRate, e.Steps, e.Validation)),
            rest.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.LearningRate, e.Steps, e.Validation)));
    }

    // Parameter groups with their own rates (one above the base, one below the cosine's floor) under a schedule that
    // runs each group from its own rate, which is not the base rate's proportion: the checkpoint stores the rates the
    // schedule last set on those groups (group.i.scheduled_lr), and a trainer applies the schedule again before its next
    // step anyway, so a run paused mid-epoch (per-epoch schedule) or mid-warm-up (per-step) must end with the
    // uninterrupted run's weights and optimizer state, hyper-parameters included; and a checkpoint loaded and saved
    // again, before any step, is the same file byte for byte (the scheduled rates read back bit for bit).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GroupsWithTheirOwnRatesUnderAScheduleResumeBitIdentically(bool eachStep)
    {
        Trainer<double> New(ulong modelSeed)
        {
            Sequential<double> model = new SequentialBuilder<double>(4).Dense(8).Relu().Dense(3).Build(maxBatch: 16, modelSeed);
            int n = model.Parameters.Length;
            var optimizer = new Adam<double>(n, learningRate: 0.01,
                groups: [new ParameterGroup(0, n / 3, LearningRate: 0.03), new ParameterGroup(n / 3, n / 3, LearningRate: 0.001), new ParameterGroup(2 * (n / 3), n - 2 * (n / 3))]);
            var cosine = new CosineAnnealingSchedule(0.01, tMax: eachStep ? 30 : 6, minLearningRate: 0.002);
            return new Trainer<double>(model, new SoftmaxCrossEntropyLoss<double>(), optimizer, TaskKind.MultiClassClassification,
                new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = 7 })
            {
                Schedule = eachStep ? new WarmupSchedule(cosine, 20) : cosine,
                ScheduleEachStep = eachStep,
            };
        }

        Dataset<double> data = Blobs<double>();
        Trainer<double> whole = New(1);
        whole.Fit(data);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<double> first = New(1);
        using var stop = new CancellationTokenSource();
        first.Regularizer = new FastNN.Tests.Training.StepHook<double>(null, step =>
        {
            if (step == 2 * 6 + 3)
                stop.Cancel();
        });
        first.Fit(data, cancellationToken: stop.Token);
        Checkpoint.Save(path, first);
        Trainer<double> resumed = New(99);
        // The file records the trainer's regularizer (the hook's type): the same one makes the same file.
        resumed.Regularizer = new FastNN.Tests.Training.StepHook<double>(null, _ => { });
        Checkpoint.Load(path, resumed);
        string again = folder.File("again.ckpt.safetensors");
        Checkpoint.Save(again, resumed);
        Assert.Contains("group.1.scheduled_lr", File.ReadAllText(path));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        resumed.Fit(data);

        Assert.Equal(whole.Steps, resumed.Steps);
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        OptimizerState<double> expected = whole.Optimizer.SaveState(), actual = resumed.Optimizer.SaveState();
        Assert.Equal(expected.Buffers["exp_avg_sq"], actual.Buffers["exp_avg_sq"]);
        Assert.Equal(expected.HyperParameters.OrderBy(p => p.Key), actual.HyperParameters.OrderBy(p => p.Key));
    }

    public static TheoryData<string> Optimizers() => ["SGD", "SGD momentum", "SGD Nesterov", "SGDW", "RMSprop", "RMSprop centered", "Adam", "AMSGrad", "AdamW"];

    private static Optimizer<float> Optimizer(string name, int n) => name switch
    {
        "SGD" => new Sgd<float>(n, 0.05),
        "SGD momentum" => new Sgd<float>(n, 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3),
        "SGD Nesterov" => new Sgd<float>(n, 0.05, momentum: 0.9, nesterov: true),
        "SGDW" => new Sgdw<float>(n, 0.05, momentum: 0.9),
        "RMSprop" => new RmsProp<float>(n, 0.01),
        "RMSprop centered" => new RmsProp<float>(n, 0.01, momentum: 0.5, centered: true, weightDecay: 1e-3),
        "Adam" => new Adam<float>(n, 0.01, weightDecay: 1e-3),
        "AMSGrad" => new Adam<float>(n, 0.01, amsGrad: true),
        _ => new AdamW<float>(n, 0.01),
    };

    // Every optimizer, with everything else a run may have: a per-step warm-up schedule, clipping, an L2 penalty,
    // dropout, batch and layer normalization, PReLU, a held-out split with patience and the best epoch put back (from
    // the checkpoint's copy when it precedes the pause); paused after 1 and after 4 epochs.
    [Theory]
    [MemberData(nameof(Optimizers))]
    public void EveryOptimizerResumesBitIdentically(string optimizer)
    {
        Trainer<float> New(ulong modelSeed)
        {
            Sequential<float> model = new SequentialBuilder<float>(4).Dense(12).BatchNorm().PRelu().Dropout(0.3).Dense(8).LayerNorm().Elu().Dense(3)
                .Build(maxBatch: 16, modelSeed);
            return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), Optimizer(optimizer, model.Parameters.Length), TaskKind.MultiClassClassification,
                new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = 7, ValidationFraction = 0.2, Patience = 10, RestoreBest = true })
            {
                Schedule = new WarmupSchedule(new StepSchedule(0.02, 7, 0.5), 5),
                ScheduleEachStep = true,
                MaxGradientNorm = 1.0,
                Regularizer = new L2Penalty<float>(1e-3),
            };
        }

        Dataset<float> data = Blobs<float>();
        Trainer<float> whole = New(1);
        whole.Fit(data);
        foreach (int pauseAfter in new[] { 1, 4 })
        {
            using var folder = new TempFolder();
            string path = folder.File("run.ckpt.safetensors");
            Trainer<float> first = New(1);
            using var stop = new CancellationTokenSource();
            first.EpochCompleted = e =>
            {
                if (e.Epoch == pauseAfter)
                    stop.Cancel();
            };
            first.Fit(data, cancellationToken: stop.Token);
            Checkpoint.Save(path, first);
            Trainer<float> resumed = New(99);
            Checkpoint.Load(path, resumed);
            resumed.Fit(data);
            Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
            Assert.Equal(whole.Model.State.ToArray(), resumed.Model.State.ToArray());
            Assert.Equal(whole.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
            Assert.Equal(whole.Steps, resumed.Steps);
        }
    }

    [Fact]
    public void ACheckpointForAnotherOptimizerIsRejectedAndTheTrainerIsUnchanged()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> saved = NewTrainer<float>(modelSeed: 1);
        saved.Fit(Blobs<float>());
        Checkpoint.Save(path, saved);

        Sequential<float> model = new SequentialBuilder<float>(4).Dense(16).BatchNorm().Relu().Dropout(0.3).Dense(3).Build(maxBatch: 16, seed: 4);
        var adam = new Adam<float>(model.Parameters.Length);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), adam, TaskKind.MultiClassClassification)
        {
            Schedule = new CosineAnnealingSchedule(0.01, tMax: 6),
        };
        float[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
        var random = model.Random.State;

        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Contains("the optimizer state does not fit the trainer's optimizer: The state is for AdamW, not Adam.", e.Message);
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        Assert.Equal(random, model.Random.State);
        Assert.Equal(0, adam.StepCount);
        Assert.Equal(0, trainer.Steps);
    }

    // As the class remarks and the README say: the optimizer's hyper-parameters are restored, not compared (as
    // PyTorch's load_state_dict restores its param groups).
    [Fact]
    public void AnOptimizerBuiltWithOtherHyperParametersTakesTheSavedOnes()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 8);
        var saved = new Adam<float>(model.Parameters.Length, learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1);
        Checkpoint.Save(path, new Trainer<float>(model, new MseLoss<float>(), saved, TaskKind.Regression));

        var other = new Adam<float>(model.Parameters.Length, learningRate: 0.5, beta1: 0.5, beta2: 0.9, epsilon: 1e-3, weightDecay: 0.3);
        Checkpoint.Load(path, new Trainer<float>(model, new MseLoss<float>(), other, TaskKind.Regression));
        Assert.Equal((0.02, 0.8, 0.99, 1e-6, 0.1), (other.LearningRate, other.Beta1, other.Beta2, other.Epsilon, other.WeightDecay));
    }

    // The schedule places the learning rate of every remaining step: resuming under another one (or none, or one
    // starting elsewhere, or stepped per step instead of per epoch) is not the saved run, so it is refused before anything
    // changes. Its horizon may change: a run may be extended.
    [Fact]
    public void ACheckpointTrainedUnderAnotherScheduleIsRejectedAndTheTrainerIsUnchanged()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> saved = NewTrainer<float>(modelSeed: 1);
        using var stop = new CancellationTokenSource();
        saved.EpochCompleted = e => stop.Cancel();
        saved.Fit(Blobs<float>(), cancellationToken: stop.Token);
        Checkpoint.Save(path, saved);

        ILearningRateSchedule?[] others = [null, new CosineAnnealingSchedule(0.02, tMax: 6), new StepSchedule(0.01, 2)];
        foreach (ILearningRateSchedule? other in others)
        {
            Trainer<float> trainer = NewTrainer<float>(modelSeed: 4);
            trainer.Schedule = other;
            float[] parameters = trainer.Model.Parameters.ToArray();
            var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
            Assert.Contains("schedule", e.Message);
            Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
            Assert.Equal(0, trainer.Steps);
            Assert.Equal(0, trainer.CompletedEpochs);
        }
        var none = NewTrainer<float>(modelSeed: 4);
        none.Schedule = null;
        Assert.Contains("the checkpoint's learning-rate schedule differs from the trainer's: the run was saved with a CosineAnnealingSchedule per epoch, the trainer has no learning-rate schedule.",
            Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, none)).Message);
        var faster = NewTrainer<float>(modelSeed: 4);
        faster.Schedule = new CosineAnnealingSchedule(0.02, tMax: 6);
        Assert.Contains("the run was saved with a CosineAnnealingSchedule per epoch starting at 0.01 (initial_learning_rate 0.01), the trainer has a CosineAnnealingSchedule per epoch starting at 0.02 (initial_learning_rate 0.02).",
            Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, faster)).Message);
        Trainer<float> perStep = NewTrainer<float>(modelSeed: 4);
        perStep.ScheduleEachStep = true;
        Assert.Contains("schedule", Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, perStep)).Message);

        // The same schedule, built anew, resumes, and so does one with a longer horizon.
        Trainer<float> same = NewTrainer<float>(modelSeed: 4);
        Checkpoint.Load(path, same);
        Assert.Equal(1, same.CompletedEpochs);
        Trainer<float> longer = NewTrainer<float>(modelSeed: 4);
        longer.Schedule = new CosineAnnealingSchedule(0.01, tMax: 12);
        Checkpoint.Load(path, longer);
        Assert.Equal(1, longer.CompletedEpochs);
    }

    // A warm-up of another length starts at the same rate (a third of the wrapped schedule's), so the type, the stepping
    // and the rate at 0 do not tell it; every parameter of a built-in schedule but its horizon is recorded and compared,
    // and a difference is named. A checkpoint written before they were recorded (no "parameters") compares as before.
    // Before: the warm-up of 4 epochs resumed a run of 2, silently, and trained on under the other schedule.
    [Fact]
    public void ACheckpointTrainedUnderAnotherWarmupOrScheduleParameterIsRejectedByName()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> saved = NewTrainer<float>(modelSeed: 1);
        saved.Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 2);
        using var stop = new CancellationTokenSource();
        saved.EpochCompleted = e => stop.Cancel();
        saved.Fit(Blobs<float>(), cancellationToken: stop.Token);
        Checkpoint.Save(path, saved);

        var refused = new (ILearningRateSchedule Schedule, string Difference)[]
        {
            (new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 4), "(warmup 2), the trainer has a WarmupSchedule per epoch starting at 0.003333333333333333 (warmup 4)"),
            (new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4, minLearningRate: 1e-4), warmup: 2), "(after.min_learning_rate 0), the trainer has a WarmupSchedule per epoch starting at 0.003333333333333333 (after.min_learning_rate 0.0001)"),
            (new WarmupSchedule(new ExponentialSchedule(0.01, 0.9), warmup: 2), "(after FastNN.Schedules.CosineAnnealingSchedule, after.min_learning_rate 0), the trainer has a WarmupSchedule per epoch starting at 0.003333333333333333 (after FastNN.Schedules.ExponentialSchedule, after.gamma 0.9)"),
        };
        foreach ((ILearningRateSchedule other, string difference) in refused)
        {
            Trainer<float> trainer = NewTrainer<float>(modelSeed: 4);
            trainer.Schedule = other;
            Assert.Equal(saved.Schedule.LearningRate(0), other.LearningRate(0));
            float[] parameters = trainer.Model.Parameters.ToArray();
            var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
            Assert.Contains("the checkpoint's learning-rate schedule differs from the trainer's: the run was saved with a WarmupSchedule per epoch starting at 0.003333333333333333 " + difference + ".", e.Message);
            Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
            Assert.Equal(0, trainer.CompletedEpochs);
        }

        // The same schedule with a longer horizon resumes.
        Trainer<float> longer = NewTrainer<float>(modelSeed: 4);
        longer.Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 10), warmup: 2);
        Checkpoint.Load(path, longer);
        Assert.Equal(1, longer.CompletedEpochs);

        // Without the parameters, as older builds wrote the schedule: compared as before (type, stepping, rate at 0).
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.True(progress["schedule"]!.AsObject().Remove("parameters"));
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Trainer<float> old = NewTrainer<float>(modelSeed: 4);
        old.Schedule = refused[0].Schedule;
        Checkpoint.Load(path, old);
        Assert.Equal(1, old.CompletedEpochs);
        Trainer<float> otherRate = NewTrainer<float>(modelSeed: 4);
        otherRate.Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.02, tMax: 4), warmup: 2);
        Assert.Contains("starting at 0.006666666666666666.", Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, otherRate)).Message);

        // Parameters that are not texts make the file malformed.
        progress["schedule"]!.AsObject()["parameters"] = new JsonObject { ["warmup"] = 2 };
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
        Assert.Contains("fastnn.checkpoint is malformed: schedule.parameters.warmup must be a text",
            Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, NewTrainer<float>(modelSeed: 4))).Message);
    }

    // A checkpoint written by FastNN at e8e80c9, before the schedule's parameters were recorded (its script builds that
    // commit): a warm-up of 2 epochs before a cosine, AdamW with a group of its own rate 0.03 (so it holds the scheduled
    // group rate LoadState now checks), paused after epoch 1. It must resume, compared as before on the schedule's type,
    // stepping and rate at 0. Its numbers came from another build on another path, so they are compared with the file.
    [Fact]
    public void ACheckpointOfAnOlderBuildWithAWarmupAndAGroupRateResumes()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints", "warmup_groups_before_parameters_f32.safetensors");
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        JsonObject progress = JsonNode.Parse(metadata["fastnn.checkpoint"])!.AsObject();
        Assert.False(progress["schedule"]!.AsObject().ContainsKey("parameters"));
        Assert.Equal(0.03 / 3, (double)progress["hyper_parameters"]!["group.0.scheduled_lr"]!, 1e-17);

        Trainer<float> New(ILearningRateSchedule schedule)
        {
            Sequential<float> model = new SequentialBuilder<float>(4).Dense(16).BatchNorm().Relu().Dropout(0.3).Dense(3).Build(maxBatch: 16, 99);
            var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: 0.01, groups: [new ParameterGroup(0, 64, LearningRate: 0.03)]);
            return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer, TaskKind.MultiClassClassification,
                new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = 12345 }) { Schedule = schedule };
        }

        Trainer<float> resumed = New(new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 2));
        Checkpoint.Load(path, resumed);
        Assert.Equal((6L, 1, 6L), (resumed.Steps, resumed.CompletedEpochs, resumed.Optimizer.StepCount));
        Assert.Equal(tensors["0.weight"].Values(), resumed.Model.Tensor("0.weight").ToArray().Select(v => (double)v));
        TrainingHistory rest = resumed.Fit(Blobs<float>());
        Assert.Equal([2, 3, 4, 5, 6], rest.Epochs.Select(e => e.Epoch));
        Assert.All(resumed.Model.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));

        // Without recorded parameters a warm-up of another length is not told (the documented limit of an older file);
        // another rate at 0 still is.
        Checkpoint.Load(path, New(new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 4)));
        Assert.Contains("starting at 0.006666666666666666.", Assert.Throws<ModelFileException>(() =>
            Checkpoint.Load(path, New(new WarmupSchedule(new CosineAnnealingSchedule(0.02, tMax: 4), warmup: 2)))).Message);
    }

    [Fact]
    public void ACheckpointOfAnotherArchitectureIsRejectedEvenWhenTheTensorsFit()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Checkpoint.Save(path, NewTrainer<float>(modelSeed: 1));
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, NewTrainer<float>(modelSeed: 1, tanh: true)));
        Assert.Contains("the checkpoint's model differs from the trainer's: layer 2 is {\"type\":\"ReLU\"} in the checkpoint, {\"type\":\"Tanh\"} in the trainer's", e.Message);
    }

    [Fact]
    public void AModelFileIsNotACheckpointAndACheckpointHoldsTheOptimizerBuffers()
    {
        using var folder = new TempFolder();
        Trainer<float> trainer = NewTrainer<float>(modelSeed: 1);
        ModelFile.Save(folder.File("model.safetensors"), trainer.Model);
        Assert.Contains("not a checkpoint", Assert.Throws<ModelFileException>(() => Checkpoint.Load(folder.File("model.safetensors"), trainer)).Message);

        Checkpoint.Save(folder.File("run.safetensors"), trainer);
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(folder.File("run.safetensors")))!.Value;
        Assert.Equal([(long)trainer.Model.Parameters.Length], tensors["optimizer.exp_avg"].Shape);
        Assert.Equal("F32", tensors["optimizer.exp_avg_sq"].DType);
        Assert.Contains("\"optimizer\":\"AdamW\"", metadata["fastnn.checkpoint"]);
    }

    // A checkpoint given to a model file loader is named as one, with what to do instead, not described by its
    // optimizer tensors ("unexpected optimizer.exp_avg"). Plain SGD keeps no buffer: its checkpoint holds exactly the
    // model's tensors, and loaded as a model file before, its optimizer state and progress silently dropped.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AModelFileLoaderNamesACheckpointAsOneAndSaysWhatToDo(bool adamW)
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> saved = adamW ? NewTrainer<float>(modelSeed: 1) : SgdTrainer(modelSeed: 1);
        Checkpoint.Save(path, saved);

        Trainer<float> other = NewTrainer<float>(modelSeed: 2);
        float[] before = other.Model.Parameters.ToArray();
        foreach (Action load in new Action[] { () => ModelFile.Load<float>(path), () => ModelFile.LoadWeights(path, other.Model) })
        {
            var e = Assert.Throws<ModelFileException>(load);
            Assert.True(e.IsCheckpoint);
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith($"{path}: the file is a FastNN checkpoint", e.Message);
            Assert.Contains("Checkpoint.Load", e.Message);
            Assert.Contains("ModelFile.Save", e.Message);
            Assert.DoesNotContain("optimizer.", e.Message);
        }
        Assert.Equal(before, other.Model.Parameters.ToArray());

        // Any other problem, such as a model file's own mismatch, is not one.
        ModelFile.Save(folder.File("model.safetensors"), saved.Model);
        Assert.False(Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(folder.File("model.safetensors"), SgdTrainer(modelSeed: 1, width: 8).Model)).IsCheckpoint);
    }

    private static Trainer<float> SgdTrainer(ulong modelSeed, int width = 16)
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(width).Relu().Dense(3).Build(maxBatch: 16, modelSeed);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(model.Parameters.Length, learningRate: 0.1),
            TaskKind.MultiClassClassification);
    }
}
